"""Joining the bank (applications, staffing's queue, set-password links), working across sites, and the
bank utilisation report."""
