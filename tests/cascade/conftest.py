"""Cascade fixtures: a fixed clock, a rate card with agency caps, released shifts.

The clock stands at Monday 2 November 2026, 09:00 London (GMT). Shifts are
posted three days earlier (outside the bank-only window) unless a test says
otherwise, and start on Thursday 5 November.
"""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from bankapp.extensions import db
from bankapp.rates.cards import create_rate_card
from tests.factories import london, make_shift

NOW = "2026-11-02T09:00:00+00:00"
CAPS = {"FY1": "60.00", "FY2": "65.00", "CT1": "70.00", "ST3": "80.00", "CONS": "150.00"}
BANDS = ("weekday_day", "weekday_night", "weekend_day", "weekend_night", "bank_holiday")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def card(world):
    """The card in force since 1 Jan 2026: ST3 agency cap £80.00/h."""
    rates = [{"grade": code, "band": band, "hourly_rate": str(Decimal(cap) / 2)}
             for code, cap in CAPS.items() for band in BANDS]
    caps = [{"grade": code, "hourly_cap": cap} for code, cap in CAPS.items()]
    card = create_rate_card(effective_from=date(2026, 1, 1), rates=rates, agency_caps=caps,
                            backdated_reason="Card of the merged trust", actor=world.admin)
    db.session.commit()
    return card


@pytest.fixture
def shift_maker(world, card):
    """``shift_maker(**overrides)`` → an open ST3 shift at site A, posted three days ago."""

    def make(*, start="2026-11-05T08:00", end="2026-11-05T20:00", grade="ST3", posted_days_ago=3, **kw):
        shift = make_shift(department=kw.pop("department", world.dept_a), grade=world.grades[grade],
                           start=start, end=end, posted_by=world.coordinator_a,
                           created_at=london(NOW) - timedelta(days=posted_days_ago), **kw)
        db.session.commit()
        return shift

    return make


@pytest.fixture
def released(world, shift_maker):
    """``released(**shift_overrides)`` → a shift taken through request and approval (tier 1)."""
    from bankapp.cascade.services import approve_cascade, request_cascade

    def make(**kw):
        shift = shift_maker(**kw)
        request = request_cascade(shift, actor=world.coordinator_a, reason="No bank doctor has claimed it")
        approve_cascade(request, actor=world.approver_a)
        db.session.commit()
        return shift

    return make


def offer_body(**kw):
    body = {"locum_name": "Dr Lena Fischer", "gmc_number": "6543210", "grade": "ST3", "charge_rate": "75.00"}
    body.update(kw)
    return body
