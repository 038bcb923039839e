"""Texts caused by events and by the scheduled jobs: booking confirmation,
cancellation by the trust, evening-before reminder, timesheet chaser,
approver reminder and document expiry warnings."""
from datetime import UTC, date, datetime

import pytest

from bankapp.events import emit
from bankapp.extensions import db
from bankapp.notifications import jobs
from bankapp.notifications.models import OutboxMessage
from bankapp.staff.models import ComplianceDocument
from bankapp.timeutil import now_utc
from tests.factories import make_booking, make_shift

from .conftest import freeze


def messages(kind=None):
    stmt = db.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.filter_by(kind=kind)
    return db.session.execute(stmt).scalars().all()


def test_bank_booking_is_confirmed_once(booked, world):
    doctor, shift, booking = booked
    emit("shift.booked", booking=booking, actor=doctor)
    emit("shift.booked", booking=booking, actor=doctor)
    [message] = messages("booking_confirmed")
    assert message.user_id == doctor.id
    assert message.body == (f"Staff Bank: you are booked at Alpha Hospital, Thu 3 Dec 20:00-Fri 4 Dec 08:00 (12h). "
                            f"Details: http://bank.test/shifts/{shift.id}")


def test_agency_booking_sends_no_text(clock, world):
    shift = make_shift(department=world.dept_a, grade=world.grades["ST3"], start="2026-12-03T20:00",
                       end="2026-12-04T08:00", posted_by=world.coordinator_a)
    booking = make_booking(shift, None, source="agency")
    emit("shift.booked", booking=booking, actor=world.coordinator_a)
    assert messages() == []


def test_trust_cancellation_tells_the_booked_doctor(booked, world):
    doctor, shift, booking = booked
    shift.status, shift.cancelled_at = "cancelled", now_utc()
    booking.status, booking.cancelled_at = "cancelled", now_utc()
    emit("shift.cancelled", shift=shift, actor=world.coordinator_a)
    [message] = messages("booking_cancelled")
    assert message.user_id == doctor.id and "cancelled your shift at Alpha Hospital" in message.body


def test_reminder_goes_the_evening_before_once(booked):
    doctor, shift, booking = booked
    with freeze("2026-12-02T17:59:00+00:00"):
        assert jobs.send_shift_reminders() == 0
    with freeze("2026-12-02T18:05:00+00:00"):
        assert jobs.send_shift_reminders() == 1
        assert jobs.send_shift_reminders() == 0
    [message] = messages("reminder")
    assert message.dedupe_key == f"reminder:{booking.id}"
    assert "tomorrow at Alpha Hospital, Emergency Department, Thu 3 Dec 20:00-Fri 4 Dec 08:00" in message.body


def test_reminder_is_not_sent_two_days_before(booked):
    with freeze("2026-12-01T18:30:00+00:00"):
        assert jobs.send_shift_reminders() == 0


def test_document_expiry_warnings_at_30_and_7_days(clock, world, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True)
    dbs = db.session.execute(db.select(ComplianceDocument).filter_by(user_id=doctor.id, kind="dbs")).scalar_one()
    dbs.expires_on = date(2026, 12, 30)  # 28 days ahead
    db.session.commit()
    assert jobs.send_document_expiry_warnings() == 1
    assert jobs.send_document_expiry_warnings() == 0
    with freeze("2026-12-24T10:00:00+00:00"):  # 6 days ahead
        assert jobs.send_document_expiry_warnings() == 1
    keys = [m.dedupe_key for m in messages("doc_expiry")]
    assert keys == [f"doc-expiry:{dbs.id}:30", f"doc-expiry:{dbs.id}:7"]
    assert "your DBS check expires on Wed 30 Dec 2026 (in 28 days)" in messages("doc_expiry")[0].body


def test_renewed_document_gets_no_warning(clock, world, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True)
    old = db.session.execute(db.select(ComplianceDocument).filter_by(user_id=doctor.id, kind="dbs")).scalar_one()
    old.expires_on = date(2026, 12, 20)
    db.session.add(ComplianceDocument(user_id=doctor.id, kind="dbs", expires_on=date(2029, 12, 20)))
    db.session.commit()
    assert jobs.send_document_expiry_warnings() == 0


@pytest.mark.parametrize("newer_status,warned", [("rejected", 1), ("awaiting_verification", 0), ("verified", 0)])
def test_only_a_renewal_that_may_count_stops_the_warning(clock, world, factory, newer_status, warned):
    """A rejected upload has not renewed anything; one waiting for verification has (the doctor acted)."""
    doctor = factory.doctor("ST3", sms_opt_in=True)
    old = db.session.execute(db.select(ComplianceDocument).filter_by(user_id=doctor.id, kind="dbs")).scalar_one()
    old.expires_on = date(2026, 12, 20)
    db.session.add(ComplianceDocument(user_id=doctor.id, kind="dbs", expires_on=date(2029, 12, 20),
                                      status=newer_status))
    db.session.commit()
    assert jobs.send_document_expiry_warnings() == warned
    if warned:
        assert messages("doc_expiry")[0].body.endswith("http://bank.test/me/documents")


def test_a_document_not_yet_verified_is_not_warned_about(clock, world, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True, documents=False)
    db.session.add(ComplianceDocument(user_id=doctor.id, kind="dbs", expires_on=date(2026, 12, 20),
                                      status="awaiting_verification"))
    db.session.commit()
    assert jobs.send_document_expiry_warnings() == 0


def test_warnings_found_at_night_wait_for_the_morning(world, factory):
    with freeze("2026-12-02T23:30:00+00:00"):
        doctor = factory.doctor("ST3", sms_opt_in=True, expires_in_days=20)
        db.session.commit()
        assert jobs.send_document_expiry_warnings() == 5
    assert {m.send_after for m in messages()} == {datetime(2026, 12, 3, 8, 0, tzinfo=UTC)}
    assert {m.user_id for m in messages()} == {doctor.id}


def test_next_payroll_cutoff_is_monday_nine(app):
    with app.app_context():
        friday = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
        assert jobs.next_payroll_cutoff(friday) == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
        monday_late = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
        assert jobs.next_payroll_cutoff(monday_late) == datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
