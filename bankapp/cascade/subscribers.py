"""Bank first: when the bank fills (or the trust cancels) a shift, agencies are
told and their offers withdrawn, in the same transaction."""

from ..events import subscribe
from ..timeutil import now_utc
from .services import close_live_offers, timing_reasons, withdraw_pending_requests


def _may_have_offers(shift) -> bool:
    """Offers exist only on shifts released to agencies, and release always sets ``released_tier1_at``."""
    return shift.released_tier1_at is not None


def _may_have_requests(shift) -> bool:
    """False while the shift is still in its bank-only window: no cascade request could have been made yet.

    The window only ever closes (time passes, the start comes nearer), so a
    shift refused now was refused at every earlier moment too.
    """
    return not timing_reasons(shift, now_utc())


@subscribe("shift.booked")
def withdraw_offers_when_bank_books(booking, actor=None, **_):
    """No query at all for a shift that never left the bank (the common case of a claim)."""
    if booking.source != "bank":
        return
    shift = booking.shift
    if _may_have_offers(shift):
        close_live_offers(booking.shift_id, status="withdrawn", kind="offer_withdrawn",
                          message="Shift withdrawn: filled by the bank.", actor=actor)
    if _may_have_offers(shift) or _may_have_requests(shift):
        withdraw_pending_requests(booking.shift_id, actor=actor, note="Filled by the bank before a decision.")


@subscribe("shift.cancelled")
def withdraw_offers_when_cancelled(shift, actor=None, **_):
    close_live_offers(shift.id, status="withdrawn", kind="offer_withdrawn",
                      message="Shift withdrawn: cancelled by the trust.", actor=actor)
    withdraw_pending_requests(shift.id, actor=actor, note="The shift was cancelled.")
