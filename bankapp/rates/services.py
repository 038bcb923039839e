"""Rate cards: which card prices a shift, and pay estimates (new card versions: ``cards.py``).

The card in force at a shift's start (its London date) prices the shift.
A booking pins the card it was booked under, so a later card never re-prices
a booked shift. Pricing itself is the pure ``rules.price_shift``; this module
only finds the rates to give it. The approval workflow of rate violations
lives in ``violations.py``.
"""
import logging
from bisect import bisect_right
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache

from flask import current_app
from sqlalchemy import bindparam

from ..errors import ValidationFailed
from ..extensions import db
from ..timeutil import BANDS, london_date, now_utc
from . import rules
from .models import RateCard, RateCardRate

log = logging.getLogger(__name__)


# --- settings ------------------------------------------------------------------


def day_window() -> tuple[time, time]:
    """The configured day (DAY_START, DAY_END) as times; night is the rest."""
    cfg = current_app.config
    return time.fromisoformat(str(cfg.get("DAY_START", "07:00"))), time.fromisoformat(str(cfg.get("DAY_END", "21:00")))


def approver_max_percent() -> Decimal:
    return Decimal(str(current_app.config.get("RATE_VIOLATION_APPROVER_MAX_PERCENT", "20")))


def price(start, end, *, rates=None, flat_rate=None, break_minutes=0) -> rules.PayBreakdown:
    """``rules.price_shift`` with the configured day window."""
    day_start, day_end = day_window()
    return rules.price_shift(start, end, rates=rates, flat_rate=flat_rate, break_minutes=break_minutes,
                             day_start=day_start, day_end=day_end)


# --- which card ----------------------------------------------------------------


def card_in_force(at: datetime | date) -> RateCard | None:
    """The card with the latest ``effective_from`` on or before the London date of ``at``."""
    on = london_date(at) if isinstance(at, datetime) else at
    return db.session.execute(
        db.select(RateCard).where(RateCard.effective_from <= on).order_by(RateCard.effective_from.desc()).limit(1)
    ).scalar_one_or_none()


def current_card() -> RateCard | None:
    return card_in_force(now_utc())


def card_rates(card: RateCard, grade_id: int) -> dict[str, Decimal]:
    """Band → hourly rate of one grade on ``card`` (BANDS order)."""
    found = {r.band: r.hourly_rate for r in card.rates if r.grade_id == grade_id}
    return {band: found[band] for band in BANDS if band in found}


def card_cap(card: RateCard, grade_id: int) -> Decimal | None:
    return next((c.hourly_cap for c in card.agency_caps if c.grade_id == grade_id), None)


def agency_cap_for(shift) -> Decimal | None:
    """The agency cap of the shift's grade on the card in force at its start."""
    card = card_in_force(shift.start_at)
    return None if card is None else card_cap(card, shift.grade_id)


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


def card_id_in_force(at: datetime | date) -> int | None:
    """The id of the card ``card_in_force`` would give, without loading the card, its rates and caps."""
    on = london_date(at) if isinstance(at, datetime) else at
    return db.session.execute(_card_id_statement(), {"on": on}).scalar_one_or_none()


@cache
def _card_id_statement():
    """Built once: every booking pins its card with it."""
    return (db.select(RateCard.id).where(RateCard.effective_from <= bindparam("on"))
            .order_by(RateCard.effective_from.desc()).limit(1))


def pin_card(booking, shift=None) -> int | None:
    """Pin the card in force at the shift's start on a new booking; returns its id.

    One small query for the id: booking is the hot path of a claim storm.
    ``shift`` saves reaching ``booking.shift`` on a booking not yet flushed.
    """
    shift = shift if shift is not None else booking.shift
    booking.rate_card_id = card_id_in_force(shift.start_at)
    return booking.rate_card_id


def _live_booking(shift):
    from ..shifts.models import Booking

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


class CardBook:
    """Every rate card's rates, loaded once, to price many shifts without a query per shift.

    Cards are few (a version or two a year, grades × bands rates each), so all
    of them fit in memory for the length of a request. Plain values, no ORM
    objects: building those cost more than the query.
    """

    def __init__(self, rows):
        """``rows``: (card id, effective_from, grade id, band, hourly rate); rate columns None for an empty card."""
        starts, self._rates = {}, {}
        for card_id, effective_from, grade_id, band, rate in rows:
            starts[card_id] = effective_from
            if band is not None:
                self._rates.setdefault((card_id, grade_id), {})[band] = rate
        ordered = sorted(starts.items(), key=lambda item: item[1])
        self._ids = [card_id for card_id, _ in ordered]
        self._dates = [on for _, on in ordered]

    def in_force(self, at: datetime | date) -> int | None:
        """Id of the card ``card_in_force`` would give, from memory."""
        on = london_date(at) if isinstance(at, datetime) else at
        i = bisect_right(self._dates, on)
        return self._ids[i - 1] if i else None

    def has(self, card_id) -> bool:
        return card_id in self._ids

    def rates(self, card_id: int, grade_id: int) -> dict[str, Decimal]:
        """As ``card_rates``: band → hourly rate of one grade, BANDS order."""
        found = self._rates.get((card_id, grade_id), {})
        return {band: found[band] for band in BANDS if band in found}


def load_card_book() -> CardBook:
    """Every card with its rates, in one query."""
    stmt = (db.select(RateCard.id, RateCard.effective_from, RateCardRate.grade_id, RateCardRate.band,
                      RateCardRate.hourly_rate)
            .outerjoin(RateCardRate, RateCardRate.rate_card_id == RateCard.id))
    return CardBook(db.session.execute(stmt).all())


def _pinned_cards(shift_ids) -> dict[int, int | None]:
    """Shift id → rate card pinned on its live booking, for shifts that have one (one query)."""
    from ..shifts.models import Booking

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


def card_breakdown(grade_id, start, end) -> tuple[RateCard, rules.PayBreakdown]:
    """The card in force at ``start`` and its price of [start, end); 422 if none covers it."""
    card = card_in_force(start)
    if card is None:
        raise ValidationFailed("No rate card is in force on that date.",
                               errors={"start": ["No rate card is in force on that date."]})
    try:
        return card, price(start, end, rates=card_rates(card, grade_id))
    except KeyError:
        raise ValidationFailed("The rate card has no rates for this grade.",
                               errors={"grade": ["The rate card in force has no rates for this grade."]}) from None


# --- the post form's preview -------------------------------------------------------


def preview(*, grade_id, start, end, hourly_rate=None) -> dict:
    """What the coordinator sees before posting: card price, flat price, violation.

    Raises ValidationFailed (``start``/``end``/``grade``) when the shift cannot be priced.
    """
    if end <= start:
        raise ValidationFailed("The end must be after the start.", errors={"end": ["The end must be after the start."]})
    card, card_bd = card_breakdown(grade_id, start, end)
    out = {"rate_card_id": card.id, "effective_from": card.effective_from, "card": card_bd,
           "rates": card_rates(card, grade_id), "flat": None, "flat_rate": hourly_rate, "is_violation": False,
           "percent_over": None, "required_role": None}
    if hourly_rate is not None:
        flat_bd = price(start, end, flat_rate=hourly_rate)
        out["flat"] = flat_bd
        out["percent_over"] = rules.percent_over(flat_bd.total, card_bd.total) if card_bd.total else None
        if rules.is_rate_violation(flat_bd, card_bd):
            out["is_violation"] = True
            out["required_role"] = rules.required_role_for(out["percent_over"], approver_max_percent())
    return out


# --- flat rates against the card ---------------------------------------------------


def assess_flat_rate(shift, *, actor, reason):
    """Compare a new flat-rate shift with the card; a violation holds it for approval.

    Called right after the shift is flushed. Returns the new RateViolation (and
    sets the shift ``pending_rate_approval``) or None when the flat rate costs
    no more than the card. No card in force at the start → 422 on ``start``.
    """
    if shift.hourly_rate is None:
        return None
    from .violations import open_violation

    _card, card_bd = card_breakdown(shift.grade_id, shift.start_at, shift.end_at)
    flat_bd = price(shift.start_at, shift.end_at, flat_rate=shift.hourly_rate)
    if not rules.is_rate_violation(flat_bd, card_bd):
        return None
    return open_violation(shift, flat_bd=flat_bd, card_bd=card_bd, actor=actor, reason=reason)
