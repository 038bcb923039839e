"""Booking a shift: a doctor's claim and a coordinator's assignment, with the claim checks.

Race safety of a booking (claim or assign): one transaction locks the doctor's
user row first, then the shift row, always in that order, re-reads both, runs
the claim checks against the doctor's live bookings at every site and inserts
the booking. Two claims of one shift queue on the shift lock (the second sees
it booked → 409); two claims by one doctor queue on the doctor lock (the
second sees the first booking → ``overlap``). The partial unique index
``uq_bookings_one_live_per_shift`` is the last line of defence.
"""
import logging
from functools import cache

from sqlalchemy import bindparam, true
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_audit, record_breach
from ..auth.models import User
from ..errors import Conflict, Forbidden, NotFound, RuleRefused, ValidationFailed, violated
from ..events import emit
from ..extensions import db
from ..timeutil import now_utc
from . import rules
from .models import CLAIMABLE_STATUSES, Booking, Shift
from .queries import doctor_facts, live_intervals, shift_facts
from .services import lock_doctor, rates_services, require_coordinator

log = logging.getLogger(__name__)

NOT_CLAIMABLE = {
    "booked": "This shift has already been booked.",
    "cancelled": "This shift has been cancelled.",
    "completed": "This shift has already been worked.",
    "pending_rate_approval": "This shift is waiting for its rate to be approved and cannot be booked yet.",
}


def lock_for_booking(doctor_id, shift_id):
    """Lock the doctor's row, then the shift's, in one statement; the shift's ``(status, start_at)`` as locked.

    PostgreSQL: the doctor's ``FOR UPDATE`` is a sub-select joined to the
    shift's row, and the shift's own row lock is taken above that join, so
    the doctor is always locked first (the order every booking keeps). Only
    two columns come back: a lost claim (409) needs nothing more, and a
    winning one loads the shift afterwards. SQLite: ``lock_doctor`` takes the
    database write lock first, then a plain read.
    """
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        lock_doctor(doctor_id)
    row = db.session.execute(_lock_statement(dialect), {"doctor_id": doctor_id, "shift_id": shift_id}).first()
    if row is None:
        raise NotFound("No such shift.")
    return row


@cache
def _lock_statement(dialect: str):
    """``lock_for_booking``'s statement, built once: building it cost more Python than running it."""
    stmt = db.select(Shift.status, Shift.start_at).where(Shift.id == bindparam("shift_id"))
    if dialect == "sqlite":
        return stmt
    doctor = (db.select(User.id).where(User.id == bindparam("doctor_id")).with_for_update()
              .subquery("locked_doctor"))
    return stmt.join(doctor, true()).with_for_update(of=Shift)


def locked_shift(shift_id) -> Shift:
    """The shift row this transaction has locked, as an ORM object (fresh from the database)."""
    return db.session.get(Shift, shift_id, populate_existing=True)


def ensure_claimable(shift, *, allow_started=False):
    """409 unless the shift can take a booking now (bank first: released shifts still can)."""
    if shift.status not in CLAIMABLE_STATUSES:
        raise Conflict(NOT_CLAIMABLE.get(shift.status, "This shift is no longer available."))
    if not allow_started and shift.start_at <= now_utc():
        raise Conflict("This shift has already started.")


def claim_reasons(doctor, shift) -> list[rules.Reason]:
    """Every claim-check reason against the doctor's live bookings at all sites."""
    existing = live_intervals(doctor.id, exclude_shift_id=shift.id, around=(shift.start_at, shift.end_at))
    return rules.check_claim(doctor_facts(doctor), shift_facts(shift), existing)


def claim_shift(shift_id, *, doctor) -> Booking:
    """A bank doctor books an available shift for themselves (see module docstring).

    Cheap on purpose (claim storms): both locks in one statement, then a 409
    before anything else is read when the shift is gone; otherwise the shift,
    the bookings around it, the documents, the card id and the writes. ``doctor`` comes with
    its roles, sites and profile loaded (``auth.services.find_live_token``).
    """
    if doctor is None or not doctor.has_role("doctor"):
        raise Forbidden("Only bank doctors can claim shifts.")
    ensure_claimable(lock_for_booking(doctor.id, shift_id))
    shift = locked_shift(shift_id)
    reasons = claim_reasons(doctor, shift)
    if reasons:
        raise RuleRefused("You cannot take this shift.", reasons=reasons)
    return _book(shift, doctor, actor=doctor)


def assign_shift(shift_id, *, doctor, actor, override_reason=None) -> Booking:
    """A coordinator books a doctor directly, with the same checks.

    Working-time reasons (and only those) give way to a written
    ``override_reason``; the override is recorded as a ``wtr_override``
    breach. Grade, site, compliance and overlap never give way. A shift that
    has started may be assigned (retrospective bookings).
    """
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        raise NotFound("No such shift.")
    require_coordinator(actor, shift.site_id)
    if doctor is None or not doctor.has_role("doctor"):
        raise ValidationFailed("Choose a bank doctor.", errors={"doctor_id": ["This person is not a bank doctor."]})
    ensure_claimable(lock_for_booking(doctor.id, shift_id), allow_started=True)
    shift = locked_shift(shift_id)
    reasons = claim_reasons(doctor, shift)
    override = (override_reason or "").strip() or None
    if reasons and not (override and rules.overridable(reasons)):
        detail = ("Only working-time reasons can be overridden; the others must be resolved first."
                  if override else "The doctor cannot take this shift.")
        raise RuleRefused(detail, reasons=reasons)
    booking = _book(shift, doctor, actor=actor, override_reason=override if reasons else None)
    if reasons:
        codes = [r.code for r in reasons]
        record_breach("wtr_override", site_id=shift.site_id, shift_id=shift.id, approved_by=actor,
                      reason=override, source_type="booking", source_id=booking.id)
        record_audit("booking.wtr_override", "booking", booking.id, actor=actor,
                     after={"reasons": codes, "override_reason": override, "doctor_id": doctor.id})
    return booking


def _book(shift, doctor, *, actor, override_reason=None) -> Booking:
    """Insert the booking (pinned to the card in force) and mark the shift booked.

    The card id is read before the INSERT so the row goes in pinned (no
    UPDATE after); the shift's UPDATE and the audit rows are flushed together
    later (by the subscribers' queries or the commit).
    """
    booking = Booking(shift_id=shift.id, doctor_id=doctor.id, source="bank", status="booked",
                      booked_by_id=actor.id, override_reason=override_reason)
    rates_services().pin_card(booking, shift)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the edge (or the page's attempt()) rolls the failed flush back
        if violated(exc, "uq_bookings_one_live_per_shift", columns="bookings.shift_id"):
            raise Conflict("This shift has already been booked.") from None
        raise
    booking.shift, booking.doctor = shift, doctor
    before = shift.status
    shift.status = "booked"
    record_audit("booking.created", "booking", booking.id, actor=actor,
                 after={"shift_id": shift.id, "doctor_id": doctor.id, "source": "bank",
                        "rate_card_id": booking.rate_card_id, "override_reason": override_reason})
    record_audit("shift.booked", "shift", shift.id, actor=actor, before={"status": before},
                 after={"status": "booked", "booking_id": booking.id})
    emit("shift.booked", booking=booking, actor=actor)
    log.info("shift %s booked by doctor %s (booking %s)", shift.id, doctor.id, booking.id)
    return booking
