"""Rate cards: which card is in force, its rates and caps, and prices (new card versions: ``cards.py``).

The card in force at a shift's start (its London date) prices the shift.
Pricing itself is the pure ``rules.price_shift``; this module only finds the
rates to give it. Nothing here knows about shifts' bookings: a shift's own
estimate is ``shifts/pricing.py``, the approval of off-card rates
``shifts/rate_approval.py``.
"""
import logging
from bisect import bisect_right
from datetime import date, datetime, time
from decimal import Decimal

from flask import current_app

from ..errors import ValidationFailed
from ..extensions import db
from ..org.policies import policy_for, trust_defaults
from ..timeutil import BANDS, london_date, now_utc
from . import rules
from .models import RateCard, RateCardRate

log = logging.getLogger(__name__)


# --- settings ------------------------------------------------------------------


def day_window() -> tuple[time, time]:
    """The configured day (DAY_START, DAY_END) as times; night is the rest."""
    cfg = current_app.config
    return time.fromisoformat(str(cfg.get("DAY_START", "07:00"))), time.fromisoformat(str(cfg.get("DAY_END", "21:00")))


def approver_max_percent(site=None) -> Decimal:
    """Above this % over the card an executive must approve: the site's policy (a Site or its id), else the trust's."""
    return policy_for(site).approver_max_percent if site is not None else trust_defaults().approver_max_percent


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


class CardBook:
    """Every rate card's rates, loaded once, to price many shifts without a query per shift.

    Cards are few (a version or two a year, grades × bands rates each), so all
    of them fit in memory for the length of a request. Plain values, no ORM
    objects: building those cost more than the query.
    """

    def __init__(self, rows):
        """``rows``: (card id, effective_from, grade id, band, hourly rate); rate columns None for an empty card."""
        self._rows = rows
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

    def without(self, card_id) -> "CardBook":
        """The same cards but one: what priced shifts before ``card_id`` was published."""
        return CardBook([row for row in self._rows if row[0] != card_id])

    def rates(self, card_id: int, grade_id: int) -> dict[str, Decimal]:
        """As ``card_rates``: band → hourly rate of one grade, BANDS order."""
        found = self._rates.get((card_id, grade_id), {})
        return {band: found[band] for band in BANDS if band in found}


def load_card_book(session=None) -> CardBook:
    """Every card with its rates, in one query (on ``session``: the reports pass their read-only one)."""
    stmt = (db.select(RateCard.id, RateCard.effective_from, RateCardRate.grade_id, RateCardRate.band,
                      RateCardRate.hourly_rate)
            .outerjoin(RateCardRate, RateCardRate.rate_card_id == RateCard.id))
    return CardBook((session or db.session).execute(stmt).all())


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


def preview(*, grade_id, start, end, hourly_rate=None, site_id=None) -> dict:
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
            out["required_role"] = rules.required_role_for_totals(flat_bd.total, card_bd.total,
                                                                  approver_max_percent(site_id))
    return out
