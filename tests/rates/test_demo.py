"""The demo trust gets a harmonised card in force for past and future shifts, and rates to approve."""
from datetime import timedelta
from decimal import Decimal

from bankapp.extensions import db
from bankapp.rates import services
from bankapp.rates.demo import card_figures
from bankapp.rates.models import RateViolation
from bankapp.seed import seed_demo
from bankapp.shifts.demo import VIOLATIONS
from bankapp.timeutil import now_utc


def test_demo_card_figures_are_plausible():
    rates, caps = card_figures(["FY1", "ST3", "CONS"])
    by = {(r["grade"], r["band"]): r["hourly_rate"] for r in rates}
    assert by[("FY1", "weekday_day")] == Decimal("35") and by[("CONS", "weekday_day")] == Decimal("150")
    assert by[("ST3", "weekend_night")] == Decimal("86.50") and by[("ST3", "bank_holiday")] == Decimal("97.50")
    assert {c["grade"]: c["hourly_cap"] for c in caps}["CONS"] == Decimal("120")


def test_seed_loads_a_card_in_force_a_year_back_and_pending_violations():
    seed_demo(doctors=4)
    db.session.commit()
    card = services.current_card()
    assert card is not None and card.backdated_reason == "Harmonised card agreed at merger"
    assert services.card_in_force(now_utc() - timedelta(days=330)).id == card.id
    assert len(card.rates) == 7 * 5 and len(card.agency_caps) == 7
    ours = [reason for *_, reason in VIOLATIONS]
    pending = db.session.execute(db.select(RateViolation).filter_by(status="pending")
                                 .where(RateViolation.reason.in_(ours))).scalars().all()
    assert sorted(v.required_role for v in pending) == ["approver", "approver", "executive"]
    assert all(v.shift.status == "pending_rate_approval" for v in pending)
