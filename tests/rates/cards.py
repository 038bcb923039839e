"""Rate card test data: a simple card whose figures make hand-computing easy."""
from datetime import date, timedelta
from decimal import Decimal

from bankapp.rates import cards
from bankapp.rates.services import card_rates
from bankapp.timeutil import BANDS, london_date
from tests.factories import london

# Per band, added to a grade's base day rate: easy sums for hand-computed tests.
BAND_EXTRA = {"weekday_day": 0, "weekday_night": 20, "weekend_day": 10, "weekend_night": 30, "bank_holiday": 40}
BASE = {"FY1": 35, "FY2": 40, "CT1": 50, "ST3": 60, "CONS": 150}


def card_body(base=None, *, caps=None, bump=0):
    """rates/agency_caps lists for create_rate_card (money as text)."""
    base = base or BASE
    rates = [{"grade": code, "band": band, "hourly_rate": f"{day + BAND_EXTRA[band] + bump}.00"}
             for code, day in base.items() for band in BANDS]
    agency_caps = [{"grade": code, "hourly_cap": f"{(caps or {}).get(code, day + 20)}.00"}
                   for code, day in base.items()]
    return rates, agency_caps


def make_card(admin, effective_from=date(2020, 1, 1), *, bump=0, reason="Harmonised card agreed at merger"):
    """A card (backdated by the admin when the date is past); ST3 is 60/80/70/90/100 (+bump)."""
    rates, caps = card_body(bump=bump)
    card = cards.create_rate_card(effective_from=effective_from, rates=rates, agency_caps=caps,
                                     backdated_reason=reason, actor=admin)
    return card


def d(text):
    return Decimal(text)


def weekday_morning(after):
    """08:00 London on the first Tuesday–Thursday from ``after``: all weekday-day minutes."""
    day = london_date(after)
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    return london(f"{day.isoformat()}T08:00")


def card_rate_plus(card, grade, extra):
    """A flat rate a little above the card's weekday-day rate: a violation an approver decides."""
    return card_rates(card, grade.id)["weekday_day"] + Decimal(extra)
