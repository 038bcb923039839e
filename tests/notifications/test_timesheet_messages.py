"""Timesheet chasers and approver reminders (need the timesheets feature)."""
import pytest

from bankapp.extensions import db
from bankapp.notifications import jobs

from .conftest import freeze
from .test_messages import messages

timesheets = pytest.importorskip("bankapp.timesheets.models", reason="timesheets feature not installed yet")


def _timesheet(booking, status):
    ts = timesheets.Timesheet(booking_id=booking.id, status=status, actual_start=booking.shift.start_at,
                              actual_end=booking.shift.end_at, break_minutes=0, site_id=booking.shift.site_id,
                              doctor_id=booking.doctor_id, submitted_by_id=booking.doctor_id)
    db.session.add(ts)
    db.session.flush()
    return ts


def test_timesheet_chaser_two_hours_after_the_shift(booked):
    doctor, shift, booking = booked
    with freeze("2026-12-04T09:59:00+00:00"):
        assert jobs.send_timesheet_chasers() == 0
    with freeze("2026-12-04T10:01:00+00:00"):
        assert jobs.send_timesheet_chasers() == 1
        assert jobs.send_timesheet_chasers() == 0
    assert "please submit your timesheet for Alpha Hospital" in messages("timesheet_chaser")[0].body


def test_no_chaser_when_the_timesheet_is_in(booked):
    doctor, shift, booking = booked
    _timesheet(booking, "submitted")
    with freeze("2026-12-04T12:00:00+00:00"):
        assert jobs.send_timesheet_chasers() == 0


def test_approvers_hear_about_waiting_timesheets_before_the_cutoff(booked, world):
    doctor, shift, booking = booked
    world.approver_a.mobile, world.approver_a.sms_opt_in = "+447700955555", True
    _timesheet(booking, "submitted")
    db.session.commit()
    with freeze("2026-12-03T12:00:00+00:00"):  # Thursday: too early
        assert jobs.send_approver_reminders() == 0
    with freeze("2026-12-04T12:00:00+00:00"):  # Friday
        assert jobs.send_approver_reminders() == 1
        assert jobs.send_approver_reminders() == 0
    with freeze("2026-12-06T12:00:00+00:00"):  # Sunday
        assert jobs.send_approver_reminders() == 1
    first = messages("approver_reminder")[0]
    assert first.user_id == world.approver_a.id
    assert "1 timesheet waits for your approval at Alpha Hospital. Payroll cut-off Mon 7 Dec 09:00" in first.body
