"""Bank first: when the bank fills (or the trust cancels) a shift, agencies are
told and their offers withdrawn, in the same transaction."""
from ..events import subscribe
from .services import close_live_offers, withdraw_pending_requests


@subscribe("shift.booked")
def withdraw_offers_when_bank_books(booking, actor=None, **_):
    if booking.source != "bank":
        return
    close_live_offers(booking.shift_id, status="withdrawn", kind="offer_withdrawn",
                      message="Shift withdrawn: filled by the bank.", actor=actor)
    withdraw_pending_requests(booking.shift_id, actor=actor, note="Filled by the bank before a decision.")


@subscribe("shift.cancelled")
def withdraw_offers_when_cancelled(shift, actor=None, **_):
    close_live_offers(shift.id, status="withdrawn", kind="offer_withdrawn",
                      message="Shift withdrawn: cancelled by the trust.", actor=actor)
    withdraw_pending_requests(shift.id, actor=actor, note="The shift was cancelled.")
