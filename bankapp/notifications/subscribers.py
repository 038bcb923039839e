"""Texts caused by marketplace events, queued in the emitter's transaction."""
import logging
from functools import cache

from ..events import subscribe
from ..extensions import db
from ..timeutil import now_utc
from . import texts
from .fanout import fan_out_shift_alert
from .models import OutboxMessage, SmsOptOut
from .services import enqueue_for_user, public_url, shift_url

log = logging.getLogger(__name__)


@subscribe("shift.opened")
def alert_doctors_of_open_shift(shift, actor=None, **_):
    fan_out_shift_alert(shift.id)


# The columns of a text queued by an event, in the order of _queue_statement's SELECT.
QUEUE_COLUMNS = ("user_id", "dedupe_key", "send_after", "status", "attempts", "created_at", "updated_at", "to",
                 "body", "kind")


@cache
def _queue_statement():
    """INSERT … SELECT of one text unless its number opted out or its dedupe key was used; built once.

    A plain INSERT, not ``insert_ignoring_duplicates``: SQLAlchemy never caches
    the compiled form of a dialect's ``ON CONFLICT`` insert, and compiling it
    on every booking cost more than the rest of the statement. The dedupe key
    is checked in the statement instead; it names a booking made in the same
    transaction, so no other transaction can queue the same key meanwhile.
    """
    table = OutboxMessage.__table__
    source = (db.select(*[db.bindparam(name, type_=table.c[name].type).label(name) for name in QUEUE_COLUMNS])
              .where(~db.exists().where(SmsOptOut.number == db.bindparam("to")))
              .where(~db.exists().where(table.c.dedupe_key == db.bindparam("dedupe_key"))))
    return table.insert().from_select(list(QUEUE_COLUMNS), source)


def _queue_unless_opted_out(row: dict) -> None:
    """Queue one text in a single ``INSERT … SELECT`` that writes nothing when the number is on the
    opt-out list or the dedupe key was used before.

    The caller has checked consent and the number in memory (``user.sms_opt_in``,
    ``user.mobile``); the opt-out list is checked in the statement itself, so
    a booking's text costs one round trip rather than a lookup, an insert and
    a read back (``enqueue_for_user``).
    """
    now = now_utc()
    values = {"user_id": None, "dedupe_key": None, "send_after": now, "status": "queued", "attempts": 0,
              "created_at": now, "updated_at": now, **row}
    db.session.execute(_queue_statement(), values)


@subscribe("shift.booked")
def confirm_booking(booking, actor=None, **_):
    """Bank bookings only: agency locums are told by their agency."""
    shift = booking.shift
    if booking.source != "bank" or booking.doctor is None or shift.end_at <= now_utc():
        return  # a retrospective booking needs no text
    doctor = booking.doctor
    if not (doctor.active and doctor.mobile and doctor.sms_opt_in):
        log.info("sms booking_confirmed to user %s not queued: no consent or number", doctor.id)
        return
    body = texts.booking_confirmed(site=shift.site.name, start=shift.start_at, end=shift.end_at,
                                   url=shift_url(shift.id))
    _queue_unless_opted_out({"to": doctor.mobile, "user_id": doctor.id, "body": body, "kind": "booking_confirmed",
                             "dedupe_key": f"booking-confirmed:{booking.id}"})


def _booking_hit_by_cancellation(shift):
    """The bank booking that was live when the trust cancelled ``shift``."""
    candidates = sorted((b for b in shift.bookings if b.source == "bank" and b.doctor_id), key=lambda b: -b.id)
    for booking in candidates:
        if booking.status != "cancelled":
            return booking
        together = booking.cancelled_at and shift.cancelled_at and \
            abs((booking.cancelled_at - shift.cancelled_at).total_seconds()) < 60
        if together:
            return booking
    return None


@subscribe("shift.cancelled")
def tell_doctor_shift_cancelled(shift, actor=None, **_):
    booking = _booking_hit_by_cancellation(shift)
    if booking is None or shift.end_at <= now_utc():
        return
    body = texts.booking_cancelled(site=shift.site.name, start=shift.start_at, end=shift.end_at,
                                   url=shift_url(shift.id))
    enqueue_for_user(booking.doctor, kind="booking_cancelled", body=body,
                     dedupe_key=f"shift-cancelled:{shift.id}:{booking.doctor_id}")


@subscribe("bookings.repriced")
def tell_doctor_bookings_repriced(doctor, card, repriced, actor=None, **_):
    """One text per doctor and card, whatever the number of their shifts it re-priced."""
    items = sorted(repriced, key=lambda r: r.booking.shift.start_at)
    changes = [(r.booking.shift.site.name, r.booking.shift.start_at, r.booking.shift.end_at, r.old_total,
                r.new_total) for r in items]
    url = shift_url(items[0].booking.shift_id) if len(items) == 1 else public_url("/my-shifts")
    enqueue_for_user(doctor, kind="booking_repriced", body=texts.bookings_repriced(changes=changes, url=url),
                     dedupe_key=f"bookings-repriced:{card.id}:{doctor.id}")


@subscribe("shift.changed")
def tell_doctor_shift_changed(shift, changed=(), actor=None, **_):
    """The booked doctor hears about a new or removed note (the only change a booked shift takes)."""
    if "notes" not in changed or shift.end_at <= now_utc():
        return
    booking = next((b for b in shift.bookings if b.status == "booked" and b.source == "bank" and b.doctor_id), None)
    if booking is None:
        return
    body = texts.shift_note(site=shift.site.name, start=shift.start_at, end=shift.end_at, note=shift.notes,
                            url=shift_url(shift.id))
    enqueue_for_user(booking.doctor, kind="shift_changed", body=body)
