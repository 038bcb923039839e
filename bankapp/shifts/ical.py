"""The doctor's personal iCalendar feed of booked shifts (``icalendar`` package).

The URL holds ``DoctorProfile.calendar_token``, a secret: phones subscribe to
it without logging in. Bookings from the last 60 days onwards are listed;
cancelled ones stay in the feed as ``STATUS:CANCELLED`` so that a calendar
that already has them removes them.
"""
from datetime import timedelta

from flask import current_app
from icalendar import Calendar, Event

from ..extensions import db
from ..staff.models import DoctorProfile
from ..timeutil import now_utc
from .models import Booking, Shift

HISTORY = timedelta(days=60)


def _event(booking, host):
    shift = booking.shift
    event = Event()
    event.add("uid", f"booking-{booking.id}@{host}")
    event.add("dtstamp", now_utc())
    event.add("dtstart", shift.start_at)
    event.add("dtend", shift.end_at)
    event.add("summary", f"Bank shift: {shift.department.name}, {shift.site.name}")
    event.add("location", shift.site.name)
    event.add("description", f"{shift.grade.name} ({shift.grade.code}). Booking {booking.id}, shift {shift.id}.")
    event.add("status", "CANCELLED" if booking.status == "cancelled" else "CONFIRMED")
    return event


def feed_for_token(token) -> bytes | None:
    """The feed of the doctor holding ``token``; None for an unknown token."""
    if not token or len(token) > 64:
        return None
    profile = db.session.execute(db.select(DoctorProfile).filter_by(calendar_token=token)).scalar_one_or_none()
    if profile is None:
        return None
    bookings = db.session.execute(
        db.select(Booking).join(Shift, Booking.shift_id == Shift.id)
        .where(Booking.doctor_id == profile.user_id, Shift.end_at > now_utc() - HISTORY)
        .order_by(Shift.start_at)).scalars().all()
    host = current_app.config.get("PUBLIC_BASE_URL", "staffbank").split("//")[-1].split("/")[0] or "staffbank"
    cal = Calendar()
    cal.add("prodid", "-//NHS Staff Bank//Shifts//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Staff Bank shifts")
    cal.add("x-published-ttl", "PT1H")
    for booking in bookings:
        cal.add_component(_event(booking, host))
    return cal.to_ical()
