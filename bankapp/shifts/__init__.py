"""Shifts: posting, booking, claim checks and the doctor and coordinator pages."""
