"""Payroll: export batches of approved timesheets, the ESR CSV and the agency
invoice-reconciliation CSV.

A batch takes every approved timesheet not yet in a batch, once and for all.
Bank doctors' pay lines go to the ESR file (the contract's header, one row per
pay line); agency locums are not paid through ESR, so their lines go to the
batch's separate agency reconciliation file. Both files are generated when the
batch is created and stored, so every download is byte-identical.
"""
