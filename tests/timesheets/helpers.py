"""Timesheet test data: a rate card with awkward pennies, worked bookings, submit/approve shortcuts."""
from datetime import date
from decimal import Decimal

from bankapp.extensions import db
from bankapp.rates.models import RateCard, RateCardRate
from bankapp.timesheets import services
from bankapp.timeutil import BANDS
from tests.factories import london, make_booking, make_shift

# Same for every grade; 83.33 makes rounding visible.
RATES = {"weekday_day": Decimal("50.00"), "weekday_night": Decimal("62.50"), "weekend_day": Decimal("70.00"),
         "weekend_night": Decimal("83.33"), "bank_holiday": Decimal("100.00")}


def make_card(world, effective_from=date(2020, 1, 1), rates=None):
    """RateCard rows straight into the database, every grade × band."""
    rates = rates or RATES
    card = RateCard(effective_from=effective_from, created_by_id=world.admin.id)
    db.session.add(card)
    db.session.flush()
    for grade in world.grades.values():
        for band in BANDS:
            db.session.add(RateCardRate(rate_card_id=card.id, grade_id=grade.id, band=band, hourly_rate=rates[band]))
    db.session.flush()
    return card


def worked(world, start, end, *, doctor=None, department=None, hourly_rate=None, source="bank", **booking_kw):
    """A booked shift (in the past at test time) and its booking, committed."""
    shift = make_shift(department=department or world.dept_a, grade=world.grades["ST3"], start=start, end=end,
                       posted_by=world.coordinator_a, hourly_rate=hourly_rate)
    booking = make_booking(shift, None if source == "agency" else (doctor or world.doctor), source=source,
                           **booking_kw)
    db.session.commit()
    return booking


def submit(booking, actor=None, *, start=None, end=None, break_minutes=0, note=None):
    """Submit (booked times by default) and commit."""
    shift = booking.shift
    ts = services.submit_timesheet(booking, actor=actor or booking.doctor,
                                   actual_start=london(start) if start else shift.start_at,
                                   actual_end=london(end) if end else shift.end_at,
                                   break_minutes=break_minutes, note=note)
    db.session.commit()
    return ts


def approve(ts, approver):
    ts = services.approve_timesheet(ts, actor=approver)
    db.session.commit()
    return ts


def body(booking, start=None, end=None, break_minutes=0, **extra):
    shift = booking.shift
    from bankapp.timeutil import format_london

    return {"booking_id": booking.id, "actual_start": start or format_london(shift.start_at),
            "actual_end": end or format_london(shift.end_at), "break_minutes": break_minutes, **extra}
