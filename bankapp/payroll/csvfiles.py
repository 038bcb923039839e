"""The CSV files of a payroll export: pure functions from rows to bytes.

Files are UTF-8, comma separated, CRLF line ends (RFC 4180), a header row,
rows in the order given. The ESR header is fixed by the contract; do not add
columns to it. Whether a timesheet was approved late is in the batch's
separate late file (and on the payroll page), keyed by ``timesheet_id``.
"""
import csv
import hashlib
import io
import re

ESR_HEADER = ("esr_assignment_number", "doctor_name", "site_code", "cost_centre", "shift_id", "timesheet_id",
              "work_date", "band", "hours", "rate", "amount")
AGENCY_HEADER = ("agency", "locum_name", "gmc_number", "site_code", "cost_centre", "shift_id", "timesheet_id",
                 "work_date", "band", "hours", "charge_rate", "amount")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
LATE_HEADER = ("timesheet_id", "esr_assignment_number", "doctor_name", "site_code", "shift_id", "submitted_at",
               "due_cutoff", "approved_at")


def _safe(value) -> str:
    """Text for a cell; a leading = + - @ is quoted away so spreadsheets do not run it."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


def write_csv(header, rows) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(row[column]) for column in header])
    return buffer.getvalue()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
