"""Timesheets: what a doctor actually worked, its approval, and the pay lines.

A booked doctor (or, for an agency locum, the site's coordinator) submits the
actual times after the shift; an approver of the site approves, rejects or
queries it. Approval prices the actual times and stores pay lines that never
change afterwards. Payroll picks approved timesheets up (bankapp.payroll).
"""
