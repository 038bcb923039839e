"""The life of a shift: the only code that changes a shift's status.

Every transition checks the state it starts from (409 otherwise), writes its
audit event and emits its domain event once, in the caller's transaction.
Workflows (posting, claims, rate approval, the agency cascade) decide *whether*
a shift moves; this module moves it. Row locks and their order: ``locking.py``.

::

    post ─┬─────────────────────────────► open ◄──────────────┐ approve rate / revised on card
          └─► pending_rate_approval ──────┘  │  ▲             │
                 ▲   │ (rejected: stays       │  │ booking     │
                 │   │  held for revision)    │  │ cancelled   │
                 └───┴── revised, still over  │  │             │
                                             │  │   release(1)│
            open / released_tier1 / released_tier2 ──► released_tier1 ──release(2)──► released_tier2
                          │ book (bank claim or assignment, agency offer)
                          ▼
                       booked ──complete (its end has passed)──► completed
                          │ unbook (the booking is cancelled: back to open or the tier it had reached)
    any state but completed ──cancel──► cancelled ──reopen──► open (or held again for its rate)

Events (``bankapp/events.py``): ``shift.opened`` whenever a shift that has
not started becomes claimable by bank doctors (posted open, rate approved,
re-opened, booking cancelled), ``shift.released``, ``shift.booked``,
``shift.cancelled``, ``booking.cancelled``.
"""
import logging

from sqlalchemy.exc import IntegrityError

from ..audit.services import record_audit
from ..errors import Conflict, violated
from ..events import emit
from ..extensions import db
from ..timeutil import format_london, now_utc
from .models import CLAIMABLE_STATUSES, Booking, Shift
from .queries import live_booking

log = logging.getLogger(__name__)

HELD = "pending_rate_approval"
RELEASED = ("released_tier1", "released_tier2")
ONE_LIVE_BOOKING = "uq_bookings_one_live_per_shift"
NOT_BOOKABLE = {
    "booked": "This shift has already been booked.",
    "cancelled": "This shift has been cancelled.",
    "completed": "This shift has already been worked.",
    HELD: "This shift is waiting for its rate to be approved and cannot be booked yet.",
}


def snapshot(shift) -> dict:
    """What the audit trail keeps of a shift."""
    return {"status": shift.status, "site_id": shift.site_id, "department_id": shift.department_id,
            "grade_id": shift.grade_id, "start": shift.start_at, "end": shift.end_at,
            "hourly_rate": shift.hourly_rate, "retrospective": shift.retrospective}


def _require(shift, *allowed, message):
    if shift.status not in allowed:
        raise Conflict(message)


def _announce(shift, actor):
    """Tell subscribers (the SMS fan-out) about a claimable shift that has not started."""
    if shift.status in CLAIMABLE_STATUSES and shift.start_at > now_utc():
        emit("shift.opened", shift=shift, actor=actor)


# --- posting and the rate hold -----------------------------------------------------------------


def post(shift, *, actor, held: bool) -> Shift:
    """A new shift goes on the board (``open``), or waits for its off-card rate to be approved."""
    if shift.id is not None:
        raise Conflict("This shift has already been posted.")
    shift.status = HELD if held else "open"
    if not held:
        shift.opened_at = now_utc()
    db.session.add(shift)
    db.session.flush()
    record_audit("shift.posted", "shift", shift.id, actor=actor, after=snapshot(shift))
    _announce(shift, actor)
    return shift


def hold_for_rate_approval(shift, *, actor) -> Shift:
    """An open shift whose new rate is over the card waits for approval (a held shift stays held)."""
    _require(shift, "open", HELD, message="Only an open shift can wait for a rate approval.")
    if shift.status != HELD:
        shift.status = HELD
        db.session.flush()
        record_audit("shift.status_changed", "shift", shift.id, actor=actor, before={"status": "open"},
                     after={"status": HELD})
    return shift


def open_to_bank(shift, *, actor) -> Shift:
    """A held shift's rate is settled (approved, or revised within the card): it opens to bank doctors."""
    _require(shift, HELD, message="The shift is no longer waiting for rate approval.")
    shift.status = "open"
    shift.opened_at = shift.opened_at or now_utc()
    db.session.flush()
    record_audit("shift.status_changed", "shift", shift.id, actor=actor, before={"status": HELD},
                 after={"status": "open"})
    _announce(shift, actor)
    return shift


# --- agencies ------------------------------------------------------------------------------


def release(shift, *, tier: int, actor, now) -> Shift:
    """Release to tier 1 agencies (from open) or widen to tier 2 (from tier 1); bank doctors can still claim."""
    before = "open" if tier == 1 else "released_tier1"
    _require(shift, before, message="Only an open shift can go to agencies." if tier == 1
             else "Only a shift released to tier 1 can go to tier 2.")
    shift.status = f"released_tier{tier}"
    setattr(shift, f"released_tier{tier}_at", now)
    db.session.flush()
    record_audit("shift.released", "shift", shift.id, actor=actor, before={"status": before},
                 after={"status": shift.status, f"released_tier{tier}_at": format_london(now)})
    emit("shift.released", shift=shift, tier=tier, actor=actor)
    return shift


# --- booking -------------------------------------------------------------------------------


def book(shift, *, actor, doctor=None, offer=None, override_reason=None) -> Booking:
    """Put a bank doctor (``doctor``) or an agency locum (``offer``) on the shift: the one booking insert.

    The caller holds the locks (``locking.py``) and has run its checks. The
    partial unique index refuses a second live booking whatever happened
    meanwhile: 409. The booking row goes in complete (an agency's charge with
    it) so nothing is updated after the INSERT.
    """
    _require(shift, *CLAIMABLE_STATUSES, message=NOT_BOOKABLE.get(shift.status, "This shift is no longer available."))
    source = "agency" if offer is not None else "bank"
    booking = Booking(shift_id=shift.id, doctor_id=doctor.id if doctor is not None else None, source=source,
                      status="booked", booked_by_id=actor.id, override_reason=override_reason,
                      charge_rate=offer.charge_rate if offer is not None else None,
                      agency_offer_id=offer.id if offer is not None else None)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the edge (or the page's attempt()) rolls the failed flush back
        if violated(exc, ONE_LIVE_BOOKING, columns="bookings.shift_id"):
            raise Conflict("This shift has already been booked.") from None
        raise
    booking.shift, booking.doctor = shift, doctor
    before, shift.status = shift.status, "booked"
    detail = ({"doctor_id": doctor.id, "override_reason": override_reason}
              if offer is None else {"agency_offer_id": offer.id, "charge_rate": offer.charge_rate})
    record_audit("booking.created", "booking", booking.id, actor=actor,
                 after={"shift_id": shift.id, "source": source, **detail})
    record_audit("shift.booked", "shift", shift.id, actor=actor, before={"status": before},
                 after={"status": "booked", "booking_id": booking.id})
    emit("shift.booked", booking=booking, actor=actor)
    log.info("shift %s booked (%s, booking %s)", shift.id, source, booking.id)
    return booking


def status_when_unbooked(shift) -> str:
    """Back where it was before booking: released to a tier if it had been, else open."""
    if shift.released_tier2_at is not None:
        return "released_tier2"
    if shift.released_tier1_at is not None:
        return "released_tier1"
    return "open"


def _cancel_booking_row(booking, *, actor, reason, now):
    booking.status, booking.cancelled_at, booking.cancelled_by_id = "cancelled", now, actor.id
    booking.cancel_reason = reason or None
    record_audit("booking.cancelled", "booking", booking.id, actor=actor, before={"status": "booked"},
                 after={"status": "cancelled", "reason": reason or None})


def unbook(booking, shift, *, actor, reason, now) -> Booking:
    """A booking is cancelled: the shift goes back on the board where it was (and is advertised again)."""
    if booking.status != "booked":
        raise Conflict("This booking is already cancelled." if booking.status == "cancelled"
                       else "This shift has already been worked.")
    _cancel_booking_row(booking, actor=actor, reason=reason, now=now)
    before, shift.status = shift.status, status_when_unbooked(shift)
    db.session.flush()
    record_audit("shift.reopened", "shift", shift.id, actor=actor, before={"status": before},
                 after={"status": shift.status, "cause": "booking_cancelled", "booking_id": booking.id})
    emit("booking.cancelled", booking=booking, actor=actor)
    _announce(shift, actor)
    return booking


# --- cancelling, re-opening, completing ----------------------------------------------------------


def cancel(shift, *, actor, reason, now) -> Shift:
    """The trust cancels a shift (its live booking, if any, too)."""
    if shift.status in ("cancelled", "completed"):
        raise Conflict("This shift is already cancelled." if shift.status == "cancelled"
                       else "This shift has already been worked.")
    before = shift.status
    booking = live_booking(shift.id)
    if booking is not None:
        _cancel_booking_row(booking, actor=actor, reason=reason, now=now)
    shift.status, shift.cancelled_at, shift.cancelled_by_id, shift.cancel_reason = "cancelled", now, actor.id, reason
    db.session.flush()
    record_audit("shift.cancelled", "shift", shift.id, actor=actor, before={"status": before},
                 after={"status": "cancelled", "reason": reason,
                        "booking_id": booking.id if booking is not None else None})
    emit("shift.cancelled", shift=shift, actor=actor)
    return shift


def reopen(shift, *, actor, held: bool) -> Shift:
    """A cancelled shift goes back on the board, or waits for its rate again (``held``)."""
    _require(shift, "cancelled", message="Only a cancelled shift can be re-opened.")
    shift.status = HELD if held else "open"
    if not held:
        shift.opened_at = shift.opened_at or now_utc()
    shift.cancelled_at, shift.cancelled_by_id, shift.cancel_reason = None, None, None
    db.session.flush()
    record_audit("shift.reopened", "shift", shift.id, actor=actor, before={"status": "cancelled"},
                 after={"status": shift.status, "cause": "reopened"})
    _announce(shift, actor)
    return shift


def complete_worked(now) -> list[int]:
    """Booked shifts whose end has passed become ``completed`` (and their live booking too).

    Set-based and safe to run twice: a second run finds nothing. Rows locked
    by another run are skipped (PostgreSQL). Returns the shift ids.
    """
    ids = db.session.execute(
        db.select(Shift.id).where(Shift.status == "booked", Shift.end_at <= now).with_for_update(skip_locked=True)
    ).scalars().all()
    if not ids:
        return []
    db.session.execute(db.update(Booking).where(Booking.shift_id.in_(ids), Booking.status == "booked")
                       .values(status="completed").execution_options(synchronize_session=False))
    db.session.execute(db.update(Shift).where(Shift.id.in_(ids), Shift.status == "booked")
                       .values(status="completed", updated_at=now).execution_options(synchronize_session=False))
    for shift_id in ids:
        record_audit("shift.completed", "shift", shift_id, before={"status": "booked"}, after={"status": "completed"})
    return ids
