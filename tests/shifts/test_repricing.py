"""A card published after a booking prices the booked shift: every booked, not yet worked, card-rate
shift whose estimate changes is re-priced and its doctor texted once with the old and new totals.

The market's card (since 2020) pays ST3 60 £/h on a weekday day, so an 8-hour weekday shift is
£480.00; ``card_body(bump=6)`` pays 66 (£528.00). The clock stands on Tue 1 Sep 2026.
"""

import pytest

from bankapp.audit.models import AuditEvent
from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage
from bankapp.timesheets import services as timesheets
from tests.factories import make_shift
from tests.rates.cards import card_body

from .conftest import booked


def _publish(api, world, effective_from, bump):
    rates, caps = card_body(bump=bump)
    resp = api(world.admin).post("/api/v1/rate-cards", json={
        "effective_from": effective_from, "rates": rates, "agency_caps": caps,
        "backdated_reason": "Agreed late" if effective_from < "2026-09-01" else None})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _texts(user):
    return db.session.execute(db.select(OutboxMessage).filter_by(user_id=user.id, kind="booking_repriced")
                              .order_by(OutboxMessage.id)).scalars().all()


def _estimate(api, world, shift_id):
    return api(world.coordinator_a).get(f"/api/v1/shifts/{shift_id}").get_json()["pay_estimate"]["total"]


@pytest.fixture
def texted(factory):
    def make(n):
        doctor = factory.doctor("ST3", mobile=f"+44770090077{n}", sms_opt_in=True, name=f"Dr Texted {n}")
        db.session.commit()
        return doctor

    return make


def test_a_new_card_reprices_a_booked_shift_and_texts_its_doctor_once(market, api, texted):
    doctor = texted(1)
    one = booked(market, doctor, "2026-10-06T09:00", "2026-10-06T17:00")  # Tue
    two = booked(market, doctor, "2026-10-08T09:00", "2026-10-08T17:00")  # Thu
    assert _estimate(api, market, one.shift_id) == "480.00"
    card = _publish(api, market, "2026-10-01", bump=6)
    assert _estimate(api, market, one.shift_id) == _estimate(api, market, two.shift_id) == "528.00"
    [text] = _texts(doctor)
    assert text.body == ("Staff Bank: a new rate card changes your pay for 2 booked shifts (estimates): "
                         "Tue 6 Oct 09:00 £480 to £528; Thu 8 Oct 09:00 £480 to £528. "
                         "Details: http://bank.test/my-shifts")
    events = db.session.execute(db.select(AuditEvent).filter_by(action="booking.repriced")
                                .order_by(AuditEvent.entity_id)).scalars().all()
    assert [(e.entity_id, e.before["estimate"], e.after["estimate"], e.after["rate_card_id"]) for e in events] == [
        (str(one.id), "480.00", "528.00", card["id"]), (str(two.id), "480.00", "528.00", card["id"])]


def test_one_shift_is_named_with_its_site_and_times(market, api, texted):
    doctor = texted(2)
    one = booked(market, doctor, "2026-10-06T09:00", "2026-10-06T17:00")
    _publish(api, market, "2026-10-01", bump=6)
    [text] = _texts(doctor)
    assert text.body == (f"Staff Bank: a new rate card changes your pay for {market.site_a.name}, "
                         f"Tue 6 Oct 09:00-17:00 (8h): was £480, now £528 est. "
                         f"Details: http://bank.test/shifts/{one.shift_id}")


def test_flat_rate_shifts_keep_their_rate_and_nobody_is_texted(market, api, texted):
    doctor = texted(3)
    shift = make_shift(department=market.dept_a, grade=market.grades["ST3"], start="2026-10-06T09:00",
                       end="2026-10-06T17:00", posted_by=market.coordinator_a, hourly_rate="75.00")
    from tests.factories import make_booking

    make_booking(shift, doctor)
    db.session.commit()
    _publish(api, market, "2026-10-01", bump=6)
    assert _estimate(api, market, shift.id) == "600.00" and _texts(doctor) == []


def test_only_shifts_in_the_new_cards_reign_are_repriced(market, api, texted):
    doctor, other = texted(4), texted(5)
    before = booked(market, other, "2026-09-29T09:00", "2026-09-29T17:00")  # before the new card
    october = booked(market, doctor, "2026-10-06T09:00", "2026-10-06T17:00")
    november = booked(market, other, "2026-11-03T09:00", "2026-11-03T17:00")
    _publish(api, market, "2026-11-01", bump=10)  # first: November's card
    assert [t.body.count("was £480, now £560 est.") for t in _texts(other)] == [1]
    _publish(api, market, "2026-10-01", bump=6)  # then October's: November stays with its own card
    assert _estimate(api, market, before.shift_id) == "480.00"
    assert _estimate(api, market, october.shift_id) == "528.00"
    assert _estimate(api, market, november.shift_id) == "560.00"
    assert len(_texts(doctor)) == 1 and len(_texts(other)) == 1


def test_a_card_that_changes_nothing_texts_nobody(market, api, texted):
    doctor = texted(6)
    booked(market, doctor, "2026-10-06T09:00", "2026-10-06T17:00")
    _publish(api, market, "2026-10-01", bump=0)
    assert _texts(doctor) == []
    assert db.session.execute(db.select(AuditEvent).filter_by(action="booking.repriced")).first() is None


def test_worked_shifts_and_approved_pay_do_not_change(market, api, texted, clock):
    doctor = texted(7)
    worked = booked(market, doctor, "2026-08-25T09:00", "2026-08-25T17:00")  # last Tuesday
    ts = timesheets.submit_timesheet(worked, actor=doctor, actual_start=worked.shift.start_at,
                                     actual_end=worked.shift.end_at)
    timesheets.approve_timesheet(ts, actor=market.approver_a)
    db.session.commit()
    _publish(api, market, "2026-08-01", bump=6)  # backdated over it
    assert _texts(doctor) == []
    pay = api(doctor).get(f"/api/v1/timesheets/{ts.id}").get_json()["pay"]
    assert pay["total"] == "480.00"


def test_a_doctor_who_takes_no_texts_is_still_repriced_but_not_texted(market, api, factory):
    quiet = factory.doctor("ST3", sms_opt_in=False)
    db.session.commit()
    one = booked(market, quiet, "2026-10-06T09:00", "2026-10-06T17:00")
    _publish(api, market, "2026-10-01", bump=6)
    assert _estimate(api, market, one.shift_id) == "528.00"
    assert db.session.execute(db.select(OutboxMessage).filter_by(user_id=quiet.id)).first() is None
    assert db.session.execute(db.select(AuditEvent).filter_by(action="booking.repriced")).scalar_one()


def test_a_published_card_in_the_far_future_touches_nothing_booked(market, api, texted):
    doctor = texted(8)
    booked(market, doctor, "2026-10-06T09:00", "2026-10-06T17:00")
    _publish(api, market, "2027-04-01", bump=6)
    assert _texts(doctor) == []
