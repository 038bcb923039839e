"""Rate cards as CSV (``grade,band,hourly_rate``) and as the admin page's grid form.

Both turn into the lists ``cards.create_rate_card`` takes, with amounts
still as text: the service checks every cell and names what is wrong.
"""
import csv
import io

from ..csvout import csv_text, read_cell
from ..org.models import Grade
from ..timeutil import BANDS
from . import cards

HEADER = ("grade", "band", "hourly_rate")
CAP_BAND = "agency_cap"
MAX_CSV_BYTES = 200_000


class CsvProblem(ValueError):
    """The file cannot be read as a rate card CSV; ``messages`` say why, line by line."""

    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = messages


def parse_rates_csv(data: bytes | str) -> tuple[list[dict], list[dict]]:
    """(rates, agency_caps) from a CSV with header ``grade,band,hourly_rate``.

    A row whose band is ``agency_cap`` gives that grade's agency cap.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_CSV_BYTES:
            raise CsvProblem(["The file is too large for a rate card."])
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CsvProblem(["Save the file as CSV (UTF-8) and upload it again."]) from None
    try:
        rows = list(csv.reader(io.StringIO(data)))
    except csv.Error as exc:  # a cell longer than the csv module takes, a NUL byte
        raise CsvProblem([f"The file is not a CSV file we can read: {exc}."]) from None
    header = rows[0] if rows else None
    if header is None or tuple(h.strip().lower() for h in header) != HEADER:
        raise CsvProblem([f"The first line must be the header {','.join(HEADER)}."])
    rates, caps, problems = [], [], []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            problems.append(f"Line {line_no}: give 3 values (grade, band, hourly rate), not {len(row)}.")
            continue
        grade, band, amount = (read_cell(cell).strip() for cell in row)
        if band == CAP_BAND:
            caps.append({"grade": grade, "hourly_cap": amount})
        else:
            rates.append({"grade": grade, "band": band, "hourly_rate": amount})
    if problems:
        raise CsvProblem(problems)
    return rates, caps


def card_to_csv(card) -> str:
    """The card as the CSV ``parse_rates_csv`` reads (caps as ``agency_cap`` rows)."""
    lines = [HEADER]
    for row in cards.card_grid(card):
        lines.extend((row["grade"].code, band, row["rates"][band]) for band in BANDS if band in row["rates"])
        if row["cap"] is not None:
            lines.append((row["grade"].code, CAP_BAND, row["cap"]))
    return csv_text(lines, lineterminator="\n")


def field_name(grade_code, band=None) -> str:
    """Form field (and element id) of a grid cell: ``rate-ST3-weekday_day`` or ``cap-ST3``."""
    return f"cap-{grade_code}" if band is None else f"rate-{grade_code}-{band}"


def grid_from_form(form, grades: list[Grade]) -> tuple[list[dict], list[dict], dict]:
    """(rates, agency_caps, typed values by field) from the grid form; blank cells are left out."""
    rates, caps, typed = [], [], {}
    for grade in grades:
        for band in BANDS:
            name = field_name(grade.code, band)
            value = (form.get(name) or "").strip().removeprefix("£")
            typed[name] = value
            if value:
                rates.append({"grade": grade.code, "band": band, "hourly_rate": value})
        name = field_name(grade.code)
        value = (form.get(name) or "").strip().removeprefix("£")
        typed[name] = value
        if value:
            caps.append({"grade": grade.code, "hourly_cap": value})
    return rates, caps, typed


def typed_from_lists(rates, caps) -> dict:
    """Grid field values from rate/cap lists (to show an uploaded CSV back in the grid)."""
    typed = {field_name(r.get("grade"), r.get("band")): r.get("hourly_rate") for r in rates}
    typed.update({field_name(c.get("grade")): c.get("hourly_cap") for c in caps})
    return typed


def typed_from_card(card) -> dict:
    if card is None:
        return {}
    typed = {}
    for row in cards.card_grid(card):
        typed.update({field_name(row["grade"].code, b): str(v) for b, v in row["rates"].items()})
        if row["cap"] is not None:
            typed[field_name(row["grade"].code)] = str(row["cap"])
    return typed
