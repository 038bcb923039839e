"""The CSV files of a payroll export: their columns and checksum.

Files are written by the one CSV writer (``bankapp.csvout``): UTF-8, comma
separated, CRLF line ends (RFC 4180), a header row, rows in the order given,
formula-like cells neutralised. The ESR header is fixed by the contract; do
not add columns to it. ``work_date`` is the London date a row's minutes were
worked: a pay line whose band runs past midnight is one row per date. Whether a timesheet was approved late is in the
batch's separate late file (and on the payroll page), keyed by
``timesheet_id``.
"""
import hashlib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from ..money import hours_str, money_str
from .rules import split_by_work_date

ESR_HEADER = ("esr_assignment_number", "doctor_name", "site_code", "cost_centre", "shift_id", "timesheet_id",
              "work_date", "band", "hours", "rate", "amount")
AGENCY_HEADER = ("agency", "locum_name", "gmc_number", "site_code", "cost_centre", "shift_id", "timesheet_id",
                 "work_date", "band", "hours", "charge_rate", "amount")
LATE_HEADER = ("timesheet_id", "esr_assignment_number", "doctor_name", "site_code", "shift_id", "submitted_at",
               "due_cutoff", "approved_at")


def line_rows(common: dict, *, band: str, minutes: int, amount: Decimal, worked: Mapping[tuple[date, str], int],
              fallback: date) -> list[dict]:
    """The file rows of one approved pay line: one per London date its minutes were worked
    (``rules.split_by_work_date``), each with ``common`` (who, where, rate) added."""
    return [{**common, "work_date": part.work_date.isoformat(), "band": band, "hours": hours_str(part.minutes),
             "amount": money_str(part.amount)}
            for part in split_by_work_date(band=band, minutes=minutes, amount=amount, worked=worked,
                                           fallback=fallback)]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
