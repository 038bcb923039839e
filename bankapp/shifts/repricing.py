"""Booked shifts re-priced by a newly published rate card.

The card in force at a shift's start prices it, also when that card is
published after the booking (``pricing.py`` never pins a card). When a card is
published (``rate_card.published``), every booked, not yet worked, card-rate
bank shift it now prices is compared with what the card before it gave: each
one whose estimate changes is audited (``booking.repriced``, old and new
totals) and its doctor is told once, in one text for all their shifts
(``bookings.repriced``, texted by ``notifications``). Flat-rate shifts keep
their rate; approved timesheets keep their stored pay lines.
"""
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal

from ..audit.services import record_audit
from ..events import emit
from ..extensions import db
from ..rates.models import RateCard
from ..rates.services import load_card_book
from ..timeutil import LONDON
from .models import Booking, Shift
from .pricing import estimate_pays

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Repriced:
    """One booked shift whose estimate a new card changed (totals None when no card priced it)."""

    booking: Booking
    old_total: Decimal | None
    new_total: Decimal | None


def _london_midnight(day) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def _bookings_priced_by(card, now) -> list[Booking]:
    """Live bank bookings of card-rate shifts not yet worked whose start falls in ``card``'s reign."""
    following = db.session.execute(db.select(db.func.min(RateCard.effective_from))
                                   .where(RateCard.effective_from > card.effective_from)).scalar()
    stmt = (db.select(Booking).join(Shift, Shift.id == Booking.shift_id)
            .where(Booking.status == "booked", Booking.source == "bank", Booking.doctor_id.isnot(None),
                   Shift.status == "booked", Shift.hourly_rate.is_(None), Shift.end_at > now,
                   Shift.start_at >= _london_midnight(card.effective_from))
            .order_by(Booking.doctor_id, Shift.start_at, Shift.id))
    if following is not None:
        stmt = stmt.where(Shift.start_at < _london_midnight(following))
    return db.session.execute(stmt).unique().scalars().all()


def reprice_for_card(card, *, actor, now) -> list[Repriced]:
    """Every booking ``card`` re-prices (see module docstring); audited, then one event per doctor."""
    bookings = _bookings_priced_by(card, now)
    if not bookings:
        return []
    shifts = [b.shift for b in bookings]
    book = load_card_book()
    before, after = estimate_pays(shifts, book=book.without(card.id)), estimate_pays(shifts, book=book)
    changed = []
    for booking in bookings:
        old, new = before[booking.shift_id], after[booking.shift_id]
        old_total, new_total = (old.total if old else None), (new.total if new else None)
        if old_total == new_total:
            continue
        changed.append(Repriced(booking, old_total, new_total))
        record_audit("booking.repriced", "booking", booking.id, actor=actor, before={"estimate": old_total},
                     after={"estimate": new_total, "rate_card_id": card.id, "shift_id": booking.shift_id})
    by_doctor = {}
    for item in changed:
        by_doctor.setdefault(item.booking.doctor_id, []).append(item)
    for items in by_doctor.values():
        emit("bookings.repriced", doctor=items[0].booking.doctor, card=card, repriced=items, actor=actor)
    log.info("rate card %s re-priced %d booked shift(s) of %d doctor(s)", card.id, len(changed), len(by_doctor))
    return changed
