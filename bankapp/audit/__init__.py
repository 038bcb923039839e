"""Append-only audit events and the breach register."""
