"""Demo data: the harmonised card agreed at the merger, and a few rates awaiting approval.

Figures are in the range trusts publish for bank (locum) doctors: social
weekday day from about £35/h (FY1) to £150/h (consultant), nights and weekends
about a quarter to a third more, bank holidays half as much again. Agency
caps are per grade, roughly 1.55 × a substantive basic hourly rate.
"""
import logging
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ..timeutil import BANDS, LONDON, is_bank_holiday, london_date, now_utc
from . import cards

log = logging.getLogger(__name__)

WEEKDAY_DAY = {"FY1": 35, "FY2": 40, "CT1": 50, "ST3": 65, "SAS": 70, "ST6": 80, "CONS": 150}
UPLIFT = {"weekday_day": Decimal("1"), "weekday_night": Decimal("1.30"), "weekend_day": Decimal("1.25"),
          "weekend_night": Decimal("1.33"), "bank_holiday": Decimal("1.50")}
AGENCY_CAP = {"FY1": 45, "FY2": 50, "CT1": 60, "ST3": 80, "SAS": 85, "ST6": 95, "CONS": 120}
# (site code, department, grade, days ahead, flat £/h, reason): about 15%, 35% and 8% over the card.
VIOLATIONS = [
    ("BRM", "Emergency Department", "ST3", 9, "75.00", "Two registrars off sick; no bank claims at card rate "
                                                        "after 5 days."),
    ("BAS", "Intensive Care", "CONS", 12, "203.00", "Only one consultant with ICU sign-off is available."),
    ("STH", "Paediatrics", "FY2", 15, "43.00", "Half-term week: the rota gap has been open for 10 days."),
]


def _half_pound(amount: Decimal) -> Decimal:
    """Round to the nearest 50p, as published cards do."""
    return (amount * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2


def card_figures(codes):
    rates = [{"grade": code, "band": band, "hourly_rate": _half_pound(Decimal(WEEKDAY_DAY[code]) * UPLIFT[band])}
             for code in codes for band in BANDS]
    caps = [{"grade": code, "hourly_cap": Decimal(AGENCY_CAP[code])} for code in codes]
    return rates, caps


def seed(ctx):
    today = london_date(now_utc())
    first = date(today.year - 1, today.month, 1)
    rates, caps = card_figures([code for code in ctx.grades if code in WEEKDAY_DAY])
    card = cards.create_rate_card(effective_from=first, rates=rates, agency_caps=caps,
                                     backdated_reason="Harmonised card agreed at merger",
                                     note="One card for all three sites, replacing the legacy site cards.",
                                     actor=ctx.admin)
    ctx.rate_card = card
    _violations(ctx, today)


def _weekday(day):
    while day.weekday() >= 5 or is_bank_holiday(day):
        day += timedelta(days=1)
    return day


def _violations(ctx, today):
    """A few shifts posted at a flat rate above the card, for the demo approvers' queues."""
    try:
        from ..shifts.services import post_shift
    except ImportError:  # the marketplace is not installed
        return
    depts = {(d.site.code, d.name): d for d in ctx.departments}
    for site_code, dept_name, grade, days, rate, reason in VIOLATIONS:
        dept = depts.get((site_code, dept_name))
        coordinator = ctx.people.get(f"coordinator:{site_code}")
        if dept is None or coordinator is None or grade not in ctx.grades:
            continue
        start = datetime.combine(_weekday(today + timedelta(days=days)), time(9), tzinfo=LONDON)
        post_shift(actor=coordinator, department=dept, grade=ctx.grades[grade], start=start,
                   end=start + timedelta(hours=10), hourly_rate=Decimal(rate), reason=reason)
