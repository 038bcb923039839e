"""A shift's pay estimate: the card (or flat rate) that prices it, for one shift or a page of them.

Prices themselves come from ``rates`` (cards, bands, ``price``); this module
knows which card a *shift* is priced by: its flat rate if it has one, else the
card in force at its start, whenever that card was published (a card published
after the booking prices it too: ``repricing.py`` tells the doctor).
"""
import logging
from decimal import Decimal

from ..rates import rules
from ..rates.services import CardBook, card_in_force, card_rates, load_card_book, price

log = logging.getLogger(__name__)


def rates_for_shift(shift) -> tuple[dict[str, Decimal] | None, Decimal | None]:
    """(card rates, flat rate) that price this shift: its flat rate, else the card in force at its start.

    ``(None, None)`` when no card covers it.
    """
    if shift.hourly_rate is not None:
        return None, shift.hourly_rate
    card = card_in_force(shift.start_at)
    if card is None:
        return None, None
    return card_rates(card, shift.grade_id), None


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
    the card in force at its start. None when no card covers it.
    For a list of shifts use ``estimate_pays`` (no query per shift).
    """
    rates, flat = rates_for_shift(shift)
    if flat is not None:
        return price(shift.start_at, shift.end_at, flat_rate=flat)
    return _card_price(shift, rates)


def estimate_pays(shifts, *, book: CardBook | None = None) -> dict[int, rules.PayBreakdown | None]:
    """Shift id → ``estimate_pay`` for a page of shifts in at most one query, whatever their number.

    Every card's rates are loaded once (or come in ``book``: ``repricing``
    prices with and without a new card).
    """
    out, priced = {}, {}  # priced: a rota repeats slots across departments; each slot × rates is priced once
    for shift in (s for s in shifts if s.id is not None):
        if shift.hourly_rate is None:
            book = book or load_card_book()
        out[shift.id] = price_estimate(shift.start_at, shift.end_at, grade_id=shift.grade_id,
                                       flat_rate=shift.hourly_rate, book=book, priced=priced, what=f"shift {shift.id}")
    return out


def price_estimate(start, end, *, grade_id, flat_rate=None, book: CardBook | None = None,
                   priced: dict | None = None, what="a shift") -> rules.PayBreakdown | None:
    """Pay for [start, end) with no break, as ``estimate_pay`` prices it, from plain values.

    The flat rate when there is one (a rate-violation shift, or an agency charge); else the card in
    force at the start (from ``book``).
    ``priced`` caches by slot across calls: a rota repeats slots across departments, and each slot ×
    rates is priced once. None when no card covers it.
    """
    priced = {} if priced is None else priced
    if flat_rate is not None:
        slot = (start, end, "flat", flat_rate)
        if slot not in priced:
            priced[slot] = price(start, end, flat_rate=flat_rate)
        return priced[slot]
    card_id = book.in_force(start)
    slot = (start, end, card_id, grade_id)
    if slot not in priced:
        rates = book.rates(card_id, grade_id) if card_id is not None else None
        priced[slot] = _card_price_of(start, end, rates, grade_id=grade_id, what=what)
    return priced[slot]
