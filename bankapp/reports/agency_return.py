"""The weekly agency return: every agency shift of a week booked above the price
cap, through an off-framework agency or above the chief executive's rate
(£100/h), the shape a trust sends upward.

The week is an ISO week, Monday 00:00 to Sunday 24:00 Europe/London; a shift
belongs to the week in which it starts. One CSV, one header, columns:

- ``row_type``: ``shift`` (one per agency shift), ``site_total`` (one per site
  with such shifts) or ``trust_total`` (always last, also for a nil return)
- ``week``: ``YYYY-Www``
- ``site_code``, ``site_name``, ``department``, ``cost_centre``, ``grade``, ``shift_id``
- ``shift_start``, ``shift_end``: London time with offset
- ``hours``: real elapsed hours, two decimals
- ``agency``, ``framework_status`` (``on_framework`` / ``off_framework``)
- ``charge_rate``, ``cap``: £/h (``cap`` empty when the card had none for the grade)
- ``over_cap_per_hour``: charge above the cap, £/h (0.00 within it)
- ``total_over_cap``: over_cap_per_hour × minutes / 60, half-up to the penny
- ``total_charge``: charge_rate × minutes / 60, half-up to the penny
- ``shifts``, ``above_cap``, ``off_framework``, ``above_ceo_rate``: counts (1/0 on a shift row);
  ``above_ceo_rate``: a charge above ``CHIEF_EXECUTIVE_ABOVE_RATE``, signed off by the chief executive
- ``approved_by``, ``approved_at``, ``reason``: the executive's break-glass sign-off

Totals are sums of the shift rows' amounts.
"""
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..cascade import rules
from ..cascade.models import AgencyOffer
from ..cascade.offers import offer_breaches
from ..csvout import write_csv
from ..money import hours_str
from ..shifts.models import Booking, Shift
from ..timeutil import LONDON, elapsed_minutes, format_london
from .db import reports_session

COLUMNS = ("row_type", "week", "site_code", "site_name", "department", "cost_centre", "grade", "shift_id",
           "shift_start", "shift_end", "hours", "agency", "framework_status", "charge_rate", "cap",
           "over_cap_per_hour", "total_over_cap", "total_charge", "shifts", "above_cap", "off_framework",
           "above_ceo_rate", "approved_by", "approved_at", "reason")
SUMMED = ("total_over_cap", "total_charge")
COUNTED = ("shifts", "above_cap", "off_framework", "above_ceo_rate")


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """UTC instants of Monday 00:00 and the next Monday 00:00, London time."""
    monday, sunday = rules.parse_iso_week(week)
    start = datetime.combine(monday, time(0), tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(sunday + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC)
    return start, end


def return_rows(week: str) -> list[dict]:
    """Shift rows (dicts keyed by COLUMNS) then totals. ValueError for a bad week.

    Read through the reports session (the replica when ``REPORTS_DATABASE_URL`` is set).
    """
    start, end = week_bounds(week)
    found = reports_session().execute(
        select(Booking, AgencyOffer)
        .join(AgencyOffer, AgencyOffer.id == Booking.agency_offer_id)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(Booking.source == "agency", Booking.status != "cancelled",
               Shift.start_at >= start, Shift.start_at < end)
        .order_by(Shift.start_at, Shift.id)).unique().all()
    rows = []
    for booking, offer in found:
        breaches = offer_breaches(offer)
        if breaches:
            rows.append(_shift_row(week, booking.shift, offer, breaches))
    return rows + _totals(week, rows)


def _shift_row(week, shift, offer, breaches) -> dict:
    minutes = elapsed_minutes(shift.start_at, shift.end_at)
    line = rules.over_cap_line(charge_rate=offer.charge_rate, cap=offer.cap, minutes=minutes)
    return {
        "row_type": "shift", "week": week, "site_code": shift.site.code, "site_name": shift.site.name,
        "department": shift.department.name, "cost_centre": shift.department.cost_centre,
        "grade": shift.grade.code, "shift_id": shift.id,
        "shift_start": format_london(shift.start_at), "shift_end": format_london(shift.end_at),
        "hours": hours_str(minutes), "agency": offer.agency.name,
        "framework_status": "off_framework" if offer.off_framework else "on_framework",
        "charge_rate": _money(offer.charge_rate), "cap": _money(offer.cap),
        "over_cap_per_hour": _money(line.over_per_hour), "total_over_cap": _money(line.total_over),
        "total_charge": _money(line.total_charge), "shifts": 1,
        "above_cap": int(rules.BREACH_OVER_CAP in breaches),
        "off_framework": int(rules.BREACH_OFF_FRAMEWORK in breaches),
        "above_ceo_rate": int(rules.BREACH_OVER_CEO_RATE in breaches),
        "approved_by": offer.approved_by.name if offer.approved_by else "",
        "approved_at": format_london(offer.decided_at) or "", "reason": offer.approval_reason or "",
    }


def _money(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _sum(rows, row_type, week, **fixed) -> dict:
    total = dict.fromkeys(COLUMNS, "")
    total.update(row_type=row_type, week=week, **fixed)
    for key in SUMMED:
        total[key] = _money(sum((Decimal(r[key]) for r in rows if r[key]), Decimal("0.00")))
    for key in COUNTED:
        total[key] = sum(r[key] for r in rows)
    total["hours"] = _money(sum((Decimal(r["hours"]) for r in rows), Decimal("0.00")))
    return total


def _totals(week, rows) -> list[dict]:
    by_site = {}
    for row in rows:
        by_site.setdefault((row["site_code"], row["site_name"]), []).append(row)
    totals = [_sum(site_rows, "site_total", week, site_code=code, site_name=name)
              for (code, name), site_rows in sorted(by_site.items())]
    totals.append(_sum(rows, "trust_total", week, site_code="ALL", site_name="Whole trust"))
    return totals


def return_csv(week: str) -> str:
    """The return as CSV text (CRLF line ends, as spreadsheets expect; formula-like cells neutralised)."""
    return write_csv(COLUMNS, return_rows(week))
