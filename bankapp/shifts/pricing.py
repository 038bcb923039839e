"""A shift's pay estimate: the card (or flat rate) that prices it, for one shift or a page of them.

Prices themselves come from ``rates`` (cards, bands, ``price``); this module
knows which card a *shift* is priced by: its flat rate if it has one, else the
card pinned on its live booking, else the card in force at its start.
"""
import logging
from decimal import Decimal

from ..extensions import db
from ..rates import rules
from ..rates.models import RateCard
from ..rates.services import CardBook, card_in_force, card_rates, load_card_book, price
from .models import Booking

log = logging.getLogger(__name__)


def rates_for_booking(booking) -> tuple[dict[str, Decimal] | None, Decimal | None]:
    """(card rates, flat rate) that price this booking.

    The shift's flat rate if it has one; else the card pinned on the booking;
    else the card in force at the shift's start. ``(None, None)`` when no card
    covers it.
    """
    shift = booking.shift
    if shift.hourly_rate is not None:
        return None, shift.hourly_rate
    card = db.session.get(RateCard, booking.rate_card_id) if booking.rate_card_id else None
    card = card or card_in_force(shift.start_at)
    if card is None:
        return None, None
    return card_rates(card, shift.grade_id), None


def _live_booking(shift):
    return db.session.execute(
        db.select(Booking).where(Booking.shift_id == shift.id, Booking.status != "cancelled")
        .order_by(Booking.id.desc()).limit(1)
    ).scalar_one_or_none()


# A shift in one of these has no live booking, so its estimate needs no booking lookup.
UNBOOKED_STATUSES = ("pending_rate_approval", "open", "released_tier1", "released_tier2")


def _may_be_booked(shift) -> bool:
    return shift.id is not None and shift.status not in UNBOOKED_STATUSES


def _card_price(shift, rates) -> rules.PayBreakdown | None:
    return _card_price_of(shift.start_at, shift.end_at, rates, grade_id=shift.grade_id, what=f"shift {shift.id}")


def _card_price_of(start, end, rates, *, grade_id, what) -> rules.PayBreakdown | None:
    if rates is None:
        return None
    try:
        return price(start, end, rates=rates)
    except KeyError:  # the card lacks a band for this grade (grade added after the card)
        log.warning("no card rate for grade %s on %s", grade_id, what)
        return None


def estimate_pay(shift) -> rules.PayBreakdown | None:
    """The doctor's pay estimate for the whole shift (no break).

    A flat-rate shift pays its flat rate; otherwise card rates by band, from
    the card pinned on the live booking if booked. None when no card covers it.
    For a list of shifts use ``estimate_pays`` (no query per shift).
    """
    if shift.hourly_rate is not None:
        return price(shift.start_at, shift.end_at, flat_rate=shift.hourly_rate)
    booking = _live_booking(shift) if _may_be_booked(shift) else None
    if booking is not None:
        rates, flat = rates_for_booking(booking)
        if flat is not None:
            return price(shift.start_at, shift.end_at, flat_rate=flat)
    else:
        card = card_in_force(shift.start_at)
        rates = card_rates(card, shift.grade_id) if card else None
    return _card_price(shift, rates)


def _pinned_cards(shift_ids) -> dict[int, int | None]:
    """Shift id → rate card pinned on its live booking, for shifts that have one (one query)."""
    if not shift_ids:
        return {}
    rows = db.session.execute(db.select(Booking.shift_id, Booking.rate_card_id)
                              .where(Booking.shift_id.in_(shift_ids), Booking.status != "cancelled"))
    return dict(rows.all())


def estimate_pays(shifts, *, book: CardBook | None = None) -> dict[int, rules.PayBreakdown | None]:
    """Shift id → ``estimate_pay`` for a page of shifts in at most three queries, whatever their number.

    Every card's rates are loaded once (or come in ``book``); the live bookings of the
    shifts that may have one (booked, completed) come in one query; open shifts
    need none.
    """
    shifts = [s for s in shifts if s.id is not None]
    pinned = _pinned_cards([s.id for s in shifts if s.hourly_rate is None and _may_be_booked(s)])
    out, priced = {}, {}
    for shift in shifts:
        if shift.hourly_rate is None:
            book = book or load_card_book()
        out[shift.id] = price_estimate(shift.start_at, shift.end_at, grade_id=shift.grade_id,
                                       flat_rate=shift.hourly_rate, card_id=pinned.get(shift.id), book=book,
                                       priced=priced, what=f"shift {shift.id}")
    return out


def price_estimate(start, end, *, grade_id, flat_rate=None, card_id=None, book: CardBook | None = None,
                   priced: dict | None = None, what="a shift") -> rules.PayBreakdown | None:
    """Pay for [start, end) with no break, as ``estimate_pay`` prices it, from plain values.

    The flat rate when there is one (a rate-violation shift, or an agency charge); else the card
    ``card_id`` pinned on the booking (when ``book`` holds it), else the card in force at the start.
    ``priced`` caches by slot across calls: a rota repeats slots across departments, and each slot ×
    rates is priced once. None when no card covers it.
    """
    priced = {} if priced is None else priced
    if flat_rate is not None:
        slot = (start, end, "flat", flat_rate)
        if slot not in priced:
            priced[slot] = price(start, end, flat_rate=flat_rate)
        return priced[slot]
    card_id = card_id if card_id is not None and book.has(card_id) else book.in_force(start)
    slot = (start, end, card_id, grade_id)
    if slot not in priced:
        rates = book.rates(card_id, grade_id) if card_id is not None else None
        priced[slot] = _card_price_of(start, end, rates, grade_id=grade_id, what=what)
    return priced[slot]
