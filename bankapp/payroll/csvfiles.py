"""The CSV files of a payroll export: their columns and checksum.

Files are written by the one CSV writer (``bankapp.csvout``): UTF-8, comma
separated, CRLF line ends (RFC 4180), a header row, rows in the order given,
formula-like cells neutralised. The ESR header is fixed by the contract; do
not add columns to it. Whether a timesheet was approved late is in the
batch's separate late file (and on the payroll page), keyed by
``timesheet_id``.
"""
import hashlib

ESR_HEADER = ("esr_assignment_number", "doctor_name", "site_code", "cost_centre", "shift_id", "timesheet_id",
              "work_date", "band", "hours", "rate", "amount")
AGENCY_HEADER = ("agency", "locum_name", "gmc_number", "site_code", "cost_centre", "shift_id", "timesheet_id",
                 "work_date", "band", "hours", "charge_rate", "amount")
LATE_HEADER = ("timesheet_id", "esr_assignment_number", "doctor_name", "site_code", "shift_id", "submitted_at",
               "due_cutoff", "approved_at")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
