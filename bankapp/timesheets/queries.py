"""Read side of timesheets: who sees what, queues, and the pay as shown."""
from decimal import Decimal

from sqlalchemy import and_, false, or_

from ..auth.permissions import sites_in_scope
from ..errors import RuleRefused
from ..extensions import db
from ..money import hours_str, money_str
from ..payroll.models import PayrollExport
from ..shifts.models import Booking, Shift
from ..timeutil import now_utc
from . import rules
from .models import Timesheet
from .services import cutoff_settings, price_timesheet, unchanged

TRUST_WIDE_READERS = ("payroll", "admin", "executive", "chief_executive")


def visible_filter(actor):
    """A WHERE clause: the timesheets ``actor`` may read.

    Doctors read their own; approvers and coordinators those of their sites;
    payroll, executives and admins every one.
    """
    if actor.has_role(*TRUST_WIDE_READERS):
        return None
    clauses = []
    if actor.has_role("doctor"):
        clauses.append(Timesheet.doctor_id == actor.id)
    for role in ("approver", "coordinator"):
        if actor.has_role(role):
            scope = sites_in_scope(actor, role)
            clauses.append(Timesheet.site_id.in_(scope) if scope is not None else Timesheet.id.isnot(None))
    return or_(*clauses) if clauses else false()


def visible_to(actor, ts_id):
    """The timesheet if ``actor`` may read it, else None (shown as 404)."""
    stmt = db.select(Timesheet).where(Timesheet.id == ts_id)
    where = visible_filter(actor)
    if where is not None:
        stmt = stmt.where(where)
    return db.session.execute(stmt).unique().scalar_one_or_none()


def list_statement(actor, *, status=None, site_id=None):
    stmt = db.select(Timesheet)
    where = visible_filter(actor)
    if where is not None:
        stmt = stmt.where(where)
    if status:
        stmt = stmt.where(Timesheet.status == status)
    if site_id:
        stmt = stmt.where(Timesheet.site_id == site_id)
    return stmt


def _pay(lines) -> dict:
    """Pay lines (stored, or priced and not stored yet) as the contract's ``pay``: lines, hours, total."""
    minutes = sum(line.minutes for line in lines)
    total = sum((line.amount for line in lines), Decimal(0))
    return {"lines": [{"band": line.band, "hours": hours_str(line.minutes), "rate": money_str(line.rate),
                       "amount": money_str(line.amount)} for line in lines],
            "hours": hours_str(minutes), "total": money_str(total)}


def pay_of(ts: Timesheet) -> dict | None:
    """The contract's ``pay``: lines, hours and total once approved, else None."""
    if ts.status != "approved" or not ts.pay_lines:
        return None
    return _pay(ts.pay_lines)


def pay_if_approved(ts: Timesheet) -> dict | None:
    """What approving ``ts`` now would pay, line by line (the lines approval stores), for the approver to
    see before deciding; None when no rate card or flat rate prices it (approval would be refused)."""
    try:
        return _pay(price_timesheet(ts).lines)
    except RuleRefused:
        return None


def export_times(timesheets) -> dict:
    """Timesheet id → when payroll exported it for payment (its batch's time), for those exported; one query."""
    batches = {ts.exported_batch_id for ts in timesheets if ts.exported_batch_id is not None}
    if not batches:
        return {}
    times = dict(db.session.execute(db.select(PayrollExport.id, PayrollExport.created_at)
                                    .where(PayrollExport.id.in_(batches))).all())
    return {ts.id: times[ts.exported_batch_id] for ts in timesheets if ts.exported_batch_id in times}


def differences(ts: Timesheet) -> dict:
    """What differs from the booking, for highlighting: start/end shift in minutes, break."""
    shift = ts.booking.shift
    return {"start_minutes": int((ts.actual_start - shift.start_at).total_seconds() // 60),
            "end_minutes": int((ts.actual_end - shift.end_at).total_seconds() // 60),
            "break_minutes": ts.break_minutes, "unchanged": unchanged(ts)}


def due_cutoff(ts: Timesheet):
    return rules.due_cutoff(ts.submitted_at, **cutoff_settings())


def misses_cutoff(ts: Timesheet, now=None) -> bool:
    """Still waiting after the cut-off of the pay run it was due for."""
    return ts.status in ("submitted", "queried") and rules.misses_cutoff(
        submitted_at=ts.submitted_at, now=now or now_utc(), **cutoff_settings())


def approver_queue(actor, *, site_id=None) -> list[Timesheet]:
    """Submitted timesheets the approver may decide on, oldest first."""
    scope = sites_in_scope(actor, "approver")
    stmt = db.select(Timesheet).where(Timesheet.status == "submitted")
    if scope is not None:
        stmt = stmt.where(Timesheet.site_id.in_(scope or [-1]))
    if site_id:
        stmt = stmt.where(Timesheet.site_id == site_id)
    rows = db.session.execute(stmt.order_by(Timesheet.submitted_at, Timesheet.id)).unique().scalars().all()
    return [ts for ts in rows if actor.id not in (ts.doctor_id, ts.submitted_by_id)]


def doctor_timesheets(doctor) -> list[Timesheet]:
    stmt = (db.select(Timesheet).where(Timesheet.doctor_id == doctor.id)
            .order_by(Timesheet.actual_start.desc(), Timesheet.id.desc()))
    return db.session.execute(stmt).unique().scalars().all()


def _awaiting(stmt, now):
    has_timesheet = db.select(Timesheet.id).where(Timesheet.booking_id == Booking.id).exists()
    stmt = stmt.join(Shift, Booking.shift_id == Shift.id).where(
        and_(Booking.status != "cancelled", Shift.end_at <= (now or now_utc()), ~has_timesheet))
    return db.session.execute(stmt.order_by(Shift.start_at, Booking.id)).unique().scalars().all()


def bookings_awaiting_timesheet(doctor, now=None) -> list[Booking]:
    """The doctor's worked shifts (ended, not cancelled) with no timesheet yet."""
    return _awaiting(db.select(Booking).where(Booking.doctor_id == doctor.id, Booking.source == "bank"), now)


def agency_bookings_awaiting(actor, now=None) -> list[Booking]:
    """Agency locum bookings on the coordinator's sites that still need a timesheet."""
    scope = sites_in_scope(actor, "coordinator")
    stmt = db.select(Booking).where(Booking.source == "agency")
    if scope is not None:
        stmt = stmt.where(Booking.shift.has(Shift.site_id.in_(scope or [-1])))
    return _awaiting(stmt, now)
