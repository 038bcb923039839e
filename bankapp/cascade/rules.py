"""Pure rules of the agency cascade: timing, tiers, offers, the price cap.

No Flask, no database: plain values in, plain values out, every reason listed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from ..money import to_money
from ..shifts.rules import Reason
from ..timeutil import to_london

RELEASED_STATUSES = ("released_tier1", "released_tier2")
# Which shift statuses an agency of each tier may see and offer on.
VISIBLE_TO_TIER = {1: RELEASED_STATUSES, 2: ("released_tier2",)}
BREACH_OVER_CAP = "agency_over_cap"
BREACH_OFF_FRAMEWORK = "off_framework"
BREACH_OVER_CEO_RATE = "agency_over_ceo_rate"
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def bank_only_until(opened_at: datetime, bank_only_hours: int) -> datetime:
    """The end of a shift's bank-only window: ``bank_only_hours`` after it first opened to bank doctors."""
    return opened_at + timedelta(hours=bank_only_hours)


def cascade_timing_reasons(*, opened_at: datetime, starts_at: datetime, now: datetime,
                           bank_only_hours: int, urgent_within_hours: int) -> list[Reason]:
    """Bank first: a shift stays with the bank for ``bank_only_hours`` after it first opened to bank
    doctors (posting, or the approval of its rate), unless it starts within ``urgent_within_hours``."""
    until = bank_only_until(opened_at, bank_only_hours)
    urgent = starts_at - now <= timedelta(hours=urgent_within_hours)
    if now < until and not urgent:
        local = to_london(until)
        return [Reason("cascade_too_early",
                       f"The bank has this shift to itself until {local:%a} {local.day} {local:%b %H:%M} "
                       f"({bank_only_hours} hours after it opened to bank doctors), unless it starts within "
                       f"{urgent_within_hours} hours. Ask again then.")]
    return []


def visible_statuses(tier: int) -> tuple[str, ...]:
    return VISIBLE_TO_TIER.get(tier, ())


def offer_reasons(*, shift_grade_rank: int, shift_grade_name: str, offered_grade_rank: int,
                  offered_grade_name: str, locum_on_bank: bool) -> list[Reason]:
    """Why an agency offer is refused (empty when it may be made)."""
    reasons = []
    if offered_grade_rank < shift_grade_rank:
        reasons.append(Reason("grade_mismatch",
                              f"The shift needs {shift_grade_name} or more senior; "
                              f"{offered_grade_name} is below that."))
    if locum_on_bank:
        reasons.append(Reason("locum_on_bank",
                              "This doctor is on the trust's own bank: they can book the shift through the bank, "
                              "not through an agency."))
    return reasons


def over_cap_per_hour(charge_rate: Decimal, cap: Decimal | None) -> Decimal | None:
    """£/h above the cap (0.00 within it); None when the grade has no cap."""
    if cap is None:
        return None
    return max(charge_rate - cap, Decimal("0.00")).quantize(Decimal("0.01"))


def breaches_for(*, charge_rate: Decimal, cap: Decimal | None, on_framework: bool,
                 chief_executive_above: Decimal) -> list[str]:
    """The breaches booking this offer would be. Any breach needs an executive's approval.

    A grade with no cap on the rate card counts as above the cap: there is
    nothing to show the charge is within it. A charge above
    ``chief_executive_above`` (£100/h by default) is a breach of its own,
    whatever the grade's cap: only the chief executive may approve it.
    """
    found = []
    if cap is None or charge_rate > cap:
        found.append(BREACH_OVER_CAP)
    if not on_framework:
        found.append(BREACH_OFF_FRAMEWORK)
    if charge_rate > chief_executive_above:
        found.append(BREACH_OVER_CEO_RATE)
    return found


def approver_role_for(charge_rate: Decimal, chief_executive_above: Decimal) -> str:
    """Who may break glass: an executive, or above the £/h line the chief executive."""
    return "chief_executive" if charge_rate > chief_executive_above else "executive"


def required_role(*, status: str, charge_rate: Decimal, chief_executive_above: Decimal) -> str | None:
    """Who must approve an offer awaiting approval (None for any other status)."""
    if status != "pending_executive_approval":
        return None
    return approver_role_for(charge_rate, chief_executive_above)


def amount_over(breach: str, *, charge_rate: Decimal, over_cap: Decimal | None,
                chief_executive_above: Decimal) -> Decimal | None:
    """£/h a breach is over its line: the cap, or the chief executive's rate."""
    if breach == BREACH_OVER_CAP:
        return over_cap
    if breach == BREACH_OVER_CEO_RATE:
        return (charge_rate - chief_executive_above).quantize(Decimal("0.01"))
    return None


def parse_iso_week(text: str) -> tuple[date, date]:
    """"2026-W10" → (Monday, Sunday) of that ISO week. ValueError if not a week."""
    match = _WEEK_RE.match((text or "").strip())
    if not match:
        raise ValueError("Give the week as YYYY-Www, e.g. 2026-W10.")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {week}.") from None
    return monday, monday + timedelta(days=6)


def iso_week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class OverCapLine:
    """Money of one agency shift for the weekly return."""

    over_per_hour: Decimal | None
    total_over: Decimal | None
    total_charge: Decimal


def over_cap_line(*, charge_rate: Decimal, cap: Decimal | None, minutes: int) -> OverCapLine:
    """Per-hour excess and totals for ``minutes`` of real elapsed time, each
    rounded half-up to the penny (rate × minutes / 60, as pay lines are)."""
    per_hour = over_cap_per_hour(charge_rate, cap)
    total_over = to_money(per_hour * minutes / 60) if per_hour is not None else None
    return OverCapLine(per_hour, total_over, to_money(charge_rate * minutes / 60))
