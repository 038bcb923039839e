"""Demo data: the harmonised card agreed at the merger (rates awaiting approval: shifts/demo.py).

Figures are in the range trusts publish for bank (locum) doctors: social
weekday day from about £35/h (FY1) to £150/h (consultant), nights and weekends
about a quarter to a third more, bank holidays half as much again. Agency
caps are per grade, roughly 1.55 × a substantive basic hourly rate.
"""
import logging
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..timeutil import BANDS, london_date, now_utc
from . import cards

log = logging.getLogger(__name__)

WEEKDAY_DAY = {"FY1": 35, "FY2": 40, "CT1": 50, "ST3": 65, "SAS": 70, "ST6": 80, "CONS": 150}
UPLIFT = {"weekday_day": Decimal("1"), "weekday_night": Decimal("1.30"), "weekend_day": Decimal("1.25"),
          "weekend_night": Decimal("1.33"), "bank_holiday": Decimal("1.50")}
AGENCY_CAP = {"FY1": 45, "FY2": 50, "CT1": 60, "ST3": 80, "SAS": 85, "ST6": 95, "CONS": 120}
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
