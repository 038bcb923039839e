"""Demo timesheets: for the demo trust's worked shifts, a mix of submitted, queried and approved.

Runs after the marketplace demo (FEATURES order). The demo doctor keeps their
latest worked shift without a timesheet so the "send timesheet" page has
something to show. Some submissions are dated a few days back so that the
approver queue shows timesheets that missed the pay-run cut-off.
"""
import logging
from datetime import timedelta

from ..errors import DomainError
from ..extensions import db
from ..shifts.models import Booking, Shift
from ..timeutil import now_utc
from . import services
from .models import Timesheet

log = logging.getLogger(__name__)


def _worked_bookings():
    """Worked bookings still without a timesheet (the generated quarter brings its own)."""
    has_timesheet = db.exists().where(Timesheet.booking_id == Booking.id)
    stmt = (db.select(Booking).join(Shift, Booking.shift_id == Shift.id)
            .where(Booking.status != "cancelled", Shift.end_at <= now_utc(), ~has_timesheet)
            .order_by(Shift.start_at, Booking.id))
    return db.session.execute(stmt).unique().scalars().all()


def _entrant(ctx, booking):
    if booking.source == "agency":
        return ctx.people.get(f"coordinator:{booking.shift.site.code}")
    return booking.doctor


def seed(ctx):
    bookings = _worked_bookings()
    demo_doctor = ctx.doctors[0] if ctx.doctors else None
    mine = [b for b in bookings if demo_doctor is not None and b.doctor_id == demo_doctor.id]
    keep_open = mine[-1].id if mine else None
    counts = {"submitted": 0, "approved": 0, "queried": 0}
    for n, booking in enumerate(bookings):
        entrant = _entrant(ctx, booking)
        if booking.id == keep_open or entrant is None:
            continue
        shift = booking.shift
        late_finish = n % 4 == 1
        try:
            ts = services.submit_timesheet(
                booking, actor=entrant, actual_start=shift.start_at,
                actual_end=shift.end_at + (timedelta(minutes=45) if late_finish else timedelta(0)),
                break_minutes=30 if n % 3 == 0 else 0,
                note="Stayed to finish a handover." if late_finish else None)
        except DomainError as exc:
            log.info("demo timesheet for booking %s skipped: %s", booking.id, exc.detail)
            continue
        # Demo history: submitted the morning after the shift, not now.
        ts.submitted_at = min(shift.end_at + timedelta(hours=2), now_utc())
        approver = ctx.people.get(f"approver:{shift.site.code}")
        if approver is not None and n % 5 in (0, 2):
            services.approve_timesheet(ts, actor=approver)
            counts["approved"] += 1
        elif approver is not None and n % 7 == 3:
            services.query_timesheet(ts, actor=approver, note="Please check your finish time with the ward.")
            counts["queried"] += 1
        else:
            counts["submitted"] += 1
    db.session.flush()
    log.info("demo timesheets: %s", counts)
