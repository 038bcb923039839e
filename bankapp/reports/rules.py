"""Pure report rules: periods, week keys and labels, fill-rate arithmetic.

No Flask and no database here, so the awkward bits (inclusive London dates,
ISO weeks, rounding) are tested exhaustively.
"""
from __future__ import annotations

import base64
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ..timeutil import LONDON

GROUP_BYS = ("site", "department", "grade", "week")
BREACH_TYPES = ("rate_violation", "agency_over_cap", "off_framework", "agency_over_ceo_rate", "wtr_override",
                "late_timesheet")
BREACH_TYPE_LABELS = {
    "rate_violation": "Rate violation",
    "agency_over_cap": "Agency over price cap",
    "off_framework": "Off-framework agency",
    "agency_over_ceo_rate": "Agency above the chief executive's rate",
    "wtr_override": "Working-time override",
    "late_timesheet": "Late timesheet",
}
# A report covers at most two years of dates, both ends included (2 × 365 + a leap day).
MAX_PERIOD_DAYS = 731
# Without dates a report shows the twelve weeks up to today.
DEFAULT_PERIOD_DAYS = 84
# Fill rates are fractions rounded half-up to four decimal places (0.6667 = 66.67%).
FILL_RATE_PLACES = Decimal("0.0001")


def resolve_period(date_from: date | None, date_to: date | None, *, today: date) -> tuple[date, date]:
    """Fill in missing ends: ``to`` defaults to today (or ``from`` if later), ``from`` to 12 weeks before ``to``."""
    if date_to is None:
        date_to = max(today, date_from) if date_from else today
    if date_from is None:
        date_from = date_to - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    return date_from, date_to


def period_errors(date_from: date, date_to: date) -> dict[str, list[str]]:
    """Field errors for a period of inclusive dates (empty when it is fine)."""
    if date_from > date_to:
        return {"from": [f"The start date ({date_from.isoformat()}) must be on or before the end date "
                         f"({date_to.isoformat()})."]}
    days = (date_to - date_from).days + 1
    if days > MAX_PERIOD_DAYS:
        return {"to": [f"A report covers at most two years ({MAX_PERIOD_DAYS} days); this period is {days} days."]}
    return {}


def period_bounds_utc(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[London midnight starting ``date_from``, London midnight after ``date_to``) as aware UTC."""
    lo = datetime.combine(date_from, time(0), tzinfo=LONDON).astimezone(UTC)
    hi = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC)
    return lo, hi


def week_monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def iso_week_key(d: date) -> str:
    """The ISO week of a date, e.g. ``2026-W05`` (weeks start on Monday)."""
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def week_label(monday: date) -> str:
    """People's name for a week: ``Week 5, 2026 (from Mon 26 Jan)``."""
    year, week, _ = monday.isocalendar()
    return f"Week {week}, {year} (from {monday.strftime('%a')} {monday.day} {monday.strftime('%b')})"


def this_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the London week containing ``today``."""
    monday = week_monday(today)
    return monday, monday + timedelta(days=6)


def last_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the whole week before the one containing ``today``."""
    monday = week_monday(today) - timedelta(days=7)
    return monday, monday + timedelta(days=6)


def share(part, whole) -> Decimal | None:
    """``part`` ÷ ``whole`` as a fraction half-up to 4 places; None when ``whole`` is zero."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(FILL_RATE_PLACES, rounding=ROUND_HALF_UP)


def fill_rate(posted: int, filled: int) -> Decimal | None:
    """Filled ÷ posted, half-up to 4 places; None when nothing was posted."""
    return share(filled, posted)


def agency_share(bank_spend: Decimal, agency_spend: Decimal) -> Decimal | None:
    """Agency spend ÷ all spend (bank + agency), half-up to 4 places; None when nothing was spent."""
    return share(agency_spend, bank_spend + agency_spend)


def percent_text(rate: Decimal | None, places: int = 1) -> str:
    """A fill rate for people: ``66.7%`` (``places`` decimals, half-up), or an en dash without shifts.

    With two places it is exactly the four-decimal fraction of the CSV and API.
    """
    if rate is None:
        return "–"
    return f"{(rate * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


def agency_charge_hundredths(charge_hundredths: int, minutes: int) -> int:
    """Pennies for ``minutes`` at an hourly charge in pennies, half-up (the SQL does the same)."""
    return (charge_hundredths * minutes * 2 + 60) // 120


def empty_type_counts() -> dict[str, int]:
    return dict.fromkeys(BREACH_TYPES, 0)


# --- breach list cursor ----------------------------------------------------------------
# The breach list is ordered by (at desc, source, id desc); a cursor is that key of the last row
# given, as opaque URL-safe text.
BREACH_PAGE_DEFAULT = 500
BREACH_PAGE_MAX = 5000
_BREACH_SOURCES = ("breach", "rate_violation")


def encode_breach_cursor(at: datetime, source: str, id_: int) -> str:
    text = f"{at.astimezone(UTC).isoformat()}|{source}|{id_}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_breach_cursor(cursor: str) -> tuple[datetime, str, int]:
    """(at, source, id) of a cursor from ``encode_breach_cursor``; ValueError when it is not one."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, source, id_text = text.split("|")
        at, id_ = datetime.fromisoformat(at_text), int(id_text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("This is not a cursor this list gave out.") from exc
    if at.tzinfo is None or source not in _BREACH_SOURCES or id_ < 1:
        raise ValueError("This is not a cursor this list gave out.")
    return at, source, id_
