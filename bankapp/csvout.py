"""The one CSV writer: every CSV file the product serves is written here.

Payroll's ESR, agency and late files, the report downloads (breaches, fill
rates), the weekly agency return and the rate card all go through
``write_csv`` (rows as dicts) or ``csv_text`` (rows as lists): comma
separated, CRLF line ends (RFC 4180) unless a file says otherwise.

Cells are guarded against spreadsheet formula injection (OWASP "CSV
injection"): much of what lands in a cell was typed by a person (a reason, a
name, a note), and a spreadsheet runs a cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula — ``=HYPERLINK(…)`` in
an approval reason would become a link on the finance team's screen. Such a
cell is written with a leading apostrophe, which spreadsheets show as text.
Plain numbers are left alone, so a negative amount (``-12.50``) stays a
number.
"""
import csv
import io
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value) -> str:
    """The text of one cell, neutralised if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def read_cell(text: str) -> str:
    """A cell as it was before ``safe_cell`` (for files the product reads back, like the rate card)."""
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_START and text[1:2] else text


def csv_text(rows, *, lineterminator="\r\n") -> str:
    """Rows (iterables of values, a header row included if wanted) as CSV text, every cell guarded."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=lineterminator).writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()


def write_csv(header, rows, *, lineterminator="\r\n") -> str:
    """A header row, then one line per dict of ``rows`` with the header's columns in order."""
    return csv_text([header, *([row[column] for column in header] for row in rows)], lineterminator=lineterminator)
