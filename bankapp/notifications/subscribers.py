"""Texts caused by marketplace events, queued in the emitter's transaction."""
import logging

from ..dbtypes import utcnow
from ..events import subscribe
from . import texts
from .fanout import fan_out_shift_alert
from .services import enqueue_for_user, enqueue_rows, may_text, shift_url

log = logging.getLogger(__name__)


@subscribe("shift.opened")
def alert_doctors_of_open_shift(shift, actor=None, **_):
    fan_out_shift_alert(shift.id)


@subscribe("shift.booked")
def confirm_booking(booking, actor=None, **_):
    """Bank bookings only: agency locums are told by their agency."""
    shift = booking.shift
    if booking.source != "bank" or booking.doctor is None or shift.end_at <= utcnow():
        return  # a retrospective booking needs no text
    doctor = booking.doctor
    if not may_text(doctor):
        return
    body = texts.booking_confirmed(site=shift.site.name, start=shift.start_at, end=shift.end_at,
                                   url=shift_url(shift.id))
    # One INSERT; unlike enqueue_for_user, the row just written is not read back (nobody uses it).
    enqueue_rows([{"to": doctor.mobile, "user_id": doctor.id, "body": body, "kind": "booking_confirmed",
                   "dedupe_key": f"booking-confirmed:{booking.id}"}])


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
    if booking is None or shift.end_at <= utcnow():
        return
    body = texts.booking_cancelled(site=shift.site.name, start=shift.start_at, end=shift.end_at,
                                   url=shift_url(shift.id))
    enqueue_for_user(booking.doctor, kind="booking_cancelled", body=body,
                     dedupe_key=f"shift-cancelled:{shift.id}:{booking.doctor_id}")
