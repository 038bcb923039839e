"""New-shift alerts reach exactly the eligible, opted-in doctors, once."""
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from bankapp.auth.models import User, UserRole
from bankapp.events import emit
from bankapp.extensions import db
from bankapp.notifications.fanout import fan_out_shift_alert
from bankapp.notifications.models import AlertGrade, AlertPreference, AlertSite, OutboxMessage, SmsOptOut
from bankapp.notifications.rules import days_mask
from bankapp.staff.documents import DOCUMENT_KINDS
from bankapp.staff.models import ComplianceDocument, DoctorProfile
from tests.factories import PASSWORD_HASH, make_booking, make_shift

from .conftest import freeze

# Wednesday 2 December 2026, 10:00 in London (GMT).
NOW = "2026-12-02T10:00:00+00:00"


@pytest.fixture(autouse=True)
def clock():
    with freeze(NOW):
        yield


def friday_shift(world, grade="ST3", department=None, start="2026-12-04T08:00", end="2026-12-04T20:00", **kw):
    return make_shift(department=department or world.dept_a, grade=world.grades[grade], start=start, end=end,
                      posted_by=world.coordinator_a, **kw)


def alerted(shift_id=None):
    stmt = db.select(OutboxMessage.user_id).filter_by(kind="shift_alert")
    if shift_id is not None:
        stmt = stmt.where(OutboxMessage.dedupe_key.like(f"shift-alert:{shift_id}:%"))
    return sorted(db.session.execute(stmt).scalars())


def test_alert_reaches_exactly_the_eligible_opted_in_doctors_once(world, factory):
    yes = [
        factory.doctor("ST3", sms_opt_in=True, name="Same grade"),
        factory.doctor("CONS", sms_opt_in=True, name="More senior"),
        factory.doctor("ST3", sms_opt_in=True, sites=[world.site_a], name="Enabled at site A"),
    ]
    no = [
        factory.doctor("FY1", sms_opt_in=True, name="Too junior"),
        factory.doctor("ST3", sms_opt_in=False, name="Never opted in"),
        factory.doctor("ST3", sms_opt_in=True, sites=[world.site_b], name="Only site B"),
        factory.doctor("ST3", sms_opt_in=True, documents=False, name="No documents"),
        factory.doctor("ST3", sms_opt_in=True, expires_in_days=1, name="Documents run out first"),
    ]
    opted_out = factory.doctor("ST3", sms_opt_in=True, name="Said STOP")
    db.session.add(SmsOptOut(number=opted_out.mobile, source="inbound"))
    inactive = factory.doctor("ST3", sms_opt_in=True, name="Left the trust")
    inactive.active = False
    shift = friday_shift(world)
    db.session.commit()

    emit("shift.opened", shift=shift, actor=world.coordinator_a)
    db.session.commit()
    assert alerted() == sorted(d.id for d in yes)
    assert not set(alerted()) & {d.id for d in [*no, opted_out, inactive, world.doctor]}

    emit("shift.opened", shift=shift, actor=world.coordinator_a)
    db.session.commit()
    assert alerted() == sorted(d.id for d in yes)


def test_alert_text_names_grade_site_time_and_link(world, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True)
    shift = friday_shift(world)
    fan_out_shift_alert(shift.id)
    message = db.session.execute(db.select(OutboxMessage).filter_by(user_id=doctor.id)).scalar_one()
    assert message.to == doctor.mobile
    assert message.dedupe_key == f"shift-alert:{shift.id}:{doctor.id}"
    assert message.body.startswith("Staff Bank: ST3 shift at Alpha Hospital, Fri 4 Dec 08:00-20:00 (12h)")
    assert f"http://bank.test/shifts/{shift.id}" in message.body
    assert message.body.endswith("Reply STOP to opt out")


def test_preferences_narrow_days_sites_and_grades(world, factory):
    no_fridays = factory.doctor("ST3", sms_opt_in=True)
    db.session.add(AlertPreference(user_id=no_fridays.id, days=days_mask([0, 1, 2, 3, 5, 6])))
    fridays = factory.doctor("ST3", sms_opt_in=True)
    db.session.add(AlertPreference(user_id=fridays.id, days=days_mask([4])))
    site_b_only = factory.doctor("ST3", sms_opt_in=True)
    db.session.add(AlertSite(user_id=site_b_only.id, site_id=world.site_b.id))
    site_a_chosen = factory.doctor("ST3", sms_opt_in=True)
    db.session.add(AlertSite(user_id=site_a_chosen.id, site_id=world.site_a.id))
    fy_grades_only = factory.doctor("ST3", sms_opt_in=True)
    db.session.add(AlertGrade(user_id=fy_grades_only.id, grade_id=world.grades["FY1"].id))
    st3_chosen = factory.doctor("CONS", sms_opt_in=True)
    db.session.add_all([AlertGrade(user_id=st3_chosen.id, grade_id=world.grades[g].id) for g in ("ST3", "CONS")])
    shift = friday_shift(world)

    fan_out_shift_alert(shift.id)
    assert alerted() == sorted([fridays.id, site_a_chosen.id, st3_chosen.id])


def test_doctor_already_booked_at_that_time_is_not_alerted(world, factory):
    busy, free = factory.doctor("ST3", sms_opt_in=True), factory.doctor("ST3", sms_opt_in=True)
    other = friday_shift(world, department=world.dept_b, start="2026-12-04T07:00", end="2026-12-04T12:00")
    make_booking(other, busy)
    shift = friday_shift(world)
    fan_out_shift_alert(shift.id)
    assert alerted(shift.id) == [free.id]


def test_shifts_not_open_or_in_the_past_alert_nobody(world, factory):
    factory.doctor("ST3", sms_opt_in=True)
    pending = friday_shift(world, status="pending_rate_approval")
    past = friday_shift(world, start="2026-12-01T08:00", end="2026-12-01T20:00")
    assert fan_out_shift_alert(pending.id) == 0
    assert fan_out_shift_alert(past.id) == 0
    assert alerted() == []


def test_daily_cap_limits_alerts_per_doctor(app, world, factory, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_SHIFT_ALERTS_PER_DOCTOR_PER_DAY", 2)
    doctor = factory.doctor("ST3", sms_opt_in=True)
    shifts = [friday_shift(world, start=f"2026-12-{d:02d}T08:00", end=f"2026-12-{d:02d}T20:00") for d in (4, 5, 6)]
    assert [fan_out_shift_alert(s.id) for s in shifts] == [1, 1, 0]
    assert alerted() == [doctor.id, doctor.id]


def test_quiet_hours_defer_alerts_until_morning(world, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True)
    shift = friday_shift(world)
    with freeze("2026-12-02T22:30:00+00:00"):
        fan_out_shift_alert(shift.id)
    message = db.session.execute(db.select(OutboxMessage).filter_by(user_id=doctor.id)).scalar_one()
    assert message.send_after == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    assert "urgent" not in message.body


def test_quiet_hours_end_at_eight_london_time_in_summer(world, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True)
    with freeze("2026-07-01T06:00:00+00:00"):  # 07:00 BST
        shift = friday_shift(world, start="2026-07-03T08:00", end="2026-07-03T20:00")
        fan_out_shift_alert(shift.id)
    message = db.session.execute(db.select(OutboxMessage).filter_by(user_id=doctor.id)).scalar_one()
    assert message.send_after == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)  # 08:00 BST


def test_urgent_shift_is_announced_at_night(world, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True)
    with freeze("2026-12-02T23:00:00+00:00"):
        shift = friday_shift(world, start="2026-12-03T07:00", end="2026-12-03T19:00")  # in 8 hours
        fan_out_shift_alert(shift.id)
        message = db.session.execute(db.select(OutboxMessage).filter_by(user_id=doctor.id)).scalar_one()
        assert message.send_after == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    assert message.body.startswith("Staff Bank (urgent): ST3 shift")


def test_capped_alerts_count_on_the_day_they_are_due(app, world, factory, monkeypatch):
    """An alert deferred to the morning counts against the morning's cap."""
    monkeypatch.setitem(app.config, "MAX_SHIFT_ALERTS_PER_DOCTOR_PER_DAY", 1)
    doctor = factory.doctor("ST3", sms_opt_in=True)
    first, second = friday_shift(world), friday_shift(world, start="2026-12-05T08:00", end="2026-12-05T20:00")
    with freeze("2026-12-02T22:00:00+00:00"):
        assert fan_out_shift_alert(first.id) == 1  # due Thursday 08:00
    with freeze("2026-12-03T09:00:00+00:00"):
        assert fan_out_shift_alert(second.id) == 0  # Thursday's one alert is used
    assert alerted() == [doctor.id]


def _bulk_doctors(world, n):
    """n opted-in, compliant ST3 doctors straight into the tables (fast)."""
    now = datetime.now(UTC)
    expiry = (now + timedelta(days=365)).date()
    users = [{"email": f"bulk{i}@test.nhs.uk", "name": f"Dr Bulk {i}", "password_hash": PASSWORD_HASH,
              "active": True, "mobile": f"+4478{i:09d}", "sms_opt_in": True, "created_at": now} for i in range(n)]
    db.session.execute(insert(User), users)
    ids = db.session.execute(db.select(User.id).where(User.email.like("bulk%"))).scalars().all()
    db.session.execute(insert(UserRole), [{"user_id": i, "role": "doctor"} for i in ids])
    db.session.execute(insert(DoctorProfile), [{"user_id": i, "grade_id": world.grades["ST3"].id,
                                                "created_at": now} for i in ids])
    db.session.execute(insert(ComplianceDocument), [{"user_id": i, "kind": k, "expires_on": expiry,
                                                     "created_at": now} for i in ids for k in DOCUMENT_KINDS])
    db.session.commit()
    return ids


def test_fan_out_to_2800_doctors_is_fast_and_set_based(world):
    ids = _bulk_doctors(world, 2800)
    shift = friday_shift(world)
    db.session.commit()
    started = time.perf_counter()
    written = fan_out_shift_alert(shift.id)
    db.session.commit()
    elapsed = time.perf_counter() - started
    assert written == len(ids) == 2800
    assert elapsed < 2.0, f"fan-out took {elapsed:.2f}s"
    assert fan_out_shift_alert(shift.id) == 0
