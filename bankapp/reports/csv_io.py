"""CSV downloads of the report tables: the same columns and values as the pages show.

Written by the one CSV writer (``bankapp.csvout``), which guards every cell
against spreadsheet formula injection.
"""
from flask import Response

from ..csvout import csv_text
from ..money import hours_str, money_str
from ..timeutil import format_london

FILL_COLUMNS = ("key", "label", "posted", "filled_bank", "filled_agency", "unfilled", "fill_rate", "spend_bank",
                "spend_agency", "hours_delivered")
SPEND_COLUMNS = ("key", "label", "bank_hours", "bank_spend", "agency_hours", "agency_spend", "agency_share",
                 "off_card_spend", "estimated_spend")
FORECAST_COLUMNS = ("site_id", "site", "date", "posted", "open", "expected_unfilled", "low", "high")
BREACH_COLUMNS = ("at", "type", "status", "site_id", "site", "department_id", "department", "shift_id",
                  "amount_over", "approved_by", "decided_by", "reason", "decision_note")


def _fmt(value) -> str:
    return "" if value is None else str(value)


def fill_rate_text(rate) -> str:
    """A fill rate (or agency share) as the CSV gives it: four decimals, empty without shifts (or spend)."""
    return "" if rate is None else f"{rate:.4f}"


def fill_row(item) -> list[str]:
    return [_fmt(item["key"]), _fmt(item["label"]), str(item["posted"]), str(item["filled_bank"]),
            str(item["filled_agency"]), str(item["unfilled"]), fill_rate_text(item["fill_rate"]),
            money_str(item["spend_bank"]), money_str(item["spend_agency"]), hours_str(item["minutes_delivered"])]


def spend_row(item) -> list[str]:
    return [_fmt(item["key"]), _fmt(item["label"]), hours_str(item["bank_minutes"]),
            money_str(item["bank_spend"]), hours_str(item["agency_minutes"]), money_str(item["agency_spend"]),
            fill_rate_text(item["agency_share"]),
            money_str(item["off_card_spend"]), money_str(item["estimated_spend"])]


def forecast_row(item) -> list[str]:
    return [str(item["site_id"]), _fmt(item["site_name"]), item["date"].isoformat(), str(item["posted"]),
            str(item["open"]), str(item["expected_unfilled"]), str(item["low"]), str(item["high"])]


def breach_row(item) -> list[str]:
    amount = item["amount_over"]
    return [format_london(item["at"]), item["type"], item["status"], str(item["site_id"]), _fmt(item["site_name"]),
            _fmt(item["department_id"]), _fmt(item["department_name"]), _fmt(item["shift_id"]),
            money_str(amount) if amount is not None else "", _fmt(item["approved_by"]),
            _fmt(item["decided_by"]), _fmt(item["reason"]), _fmt(item["decision_note"])]


def to_csv(columns, rows) -> str:
    return csv_text([columns, *rows])


def fill_rates_csv(report) -> str:
    return to_csv(FILL_COLUMNS, [fill_row(i) for i in report["items"]])


def spend_csv(report) -> str:
    return to_csv(SPEND_COLUMNS, [spend_row(i) for i in report["items"]])


def forecast_csv(report) -> str:
    return to_csv(FORECAST_COLUMNS, [forecast_row(i) for i in report["items"]])


def breaches_csv(report) -> str:
    return to_csv(BREACH_COLUMNS, [breach_row(i) for i in report["items"]])


def breaches_csv_chunks(report, rows_per_chunk=1000):
    """The breach CSV as text chunks, for a streamed response (a year is thousands of rows)."""
    items = report["items"]
    yield csv_text([BREACH_COLUMNS])
    for start in range(0, len(items), rows_per_chunk):
        yield csv_text(breach_row(i) for i in items[start:start + rows_per_chunk])


def csv_response(text, name, period) -> Response:
    """A CSV download of ``text`` (a string, or an iterable of chunks that is streamed)."""
    filename = f"{name}-{period.date_from.isoformat()}-to-{period.date_to.isoformat()}.csv"
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def wants_csv(request, query) -> bool:
    """``?format=csv``, or ``Accept: text/csv`` preferred over JSON."""
    if query.get("format"):
        return query["format"] == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv" and request.accept_mimetypes["text/csv"] > request.accept_mimetypes["application/json"]
