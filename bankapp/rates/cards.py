"""New rate card versions: checking every grade × band cell and cap, and the card history.

A card is complete or refused as a whole (422 naming every bad cell); an
effective date in the past needs an admin's written ``backdated_reason``,
which is audited. Which card prices a shift is ``services.py``; a new card
is announced (``rate_card.published``) so booked shifts it now prices are
re-priced and their doctors told (``shifts/repricing.py``).
"""
import logging
from datetime import date
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from ..audit.services import record_audit
from ..errors import Forbidden, ValidationFailed, violated
from ..events import emit
from ..extensions import db
from ..money import parse_money
from ..org.models import Grade
from ..timeutil import BAND_LABELS, BANDS, london_date, now_utc
from .models import AgencyCap, RateCard, RateCardRate
from .services import card_cap, card_rates

log = logging.getLogger(__name__)


def _parse_amount(value, what: str, problems: list[str]) -> Decimal | None:
    try:
        amount = value if isinstance(value, Decimal) else parse_money(value)
    except (TypeError, ValueError) as exc:
        problems.append(f"{what}: {exc}")
        return None
    if amount <= 0:
        problems.append(f"{what}: must be more than £0.00 (got {amount}).")
        return None
    return amount


def _cell_label(code, band):
    return f"{code} × {band}"


def _check_rates(rates, grades, errors, cells):
    """Rates as {(grade code, band): Decimal}; problems into ``errors``/``cells``."""
    out, problems = {}, []
    for item in rates or ():
        code, band = str(item.get("grade", "")).strip(), str(item.get("band", "")).strip()
        label = _cell_label(code, band)
        if code not in grades:
            problems.append(f"{label}: unknown grade {code!r}.")
            continue
        if band not in BANDS:
            problems.append(f"{label}: unknown band {band!r}; bands are {', '.join(BANDS)}.")
            continue
        if (code, band) in out:
            problems.append(f"{label}: given more than once.")
            cells[f"rate-{code}-{band}"] = ["Given more than once."]
            continue
        before = len(problems)
        amount = _parse_amount(item.get("hourly_rate"), label, problems)
        if amount is None:
            why = problems[before].split(": ", 1)[1]
            cells[f"rate-{code}-{band}"] = [f"{BAND_LABELS[band]} rate for {code}: {why}"]
            out[(code, band)] = None
            continue
        out[(code, band)] = amount
    for code in grades:
        for band in BANDS:
            if (code, band) not in out:
                problems.append(f"Missing {_cell_label(code, band)}")
                cells[f"rate-{code}-{band}"] = [f"Enter the {BAND_LABELS[band].lower()} rate for {code}."]
    if problems:
        errors["rates"] = problems
    return out


def _check_caps(caps, grades, errors, cells):
    out, problems = {}, []
    for item in caps or ():
        code = str(item.get("grade", "")).strip()
        if code not in grades:
            problems.append(f"{code}: unknown grade {code!r}.")
            continue
        if code in out:
            problems.append(f"{code}: given more than once.")
            continue
        before = len(problems)
        amount = _parse_amount(item.get("hourly_cap"), code, problems)
        if amount is None:
            cells[f"cap-{code}"] = [f"Agency cap for {code}: {problems[before].split(': ', 1)[1]}"]
        out[code] = amount
    for code in grades:
        if code not in out:
            problems.append(f"Missing agency cap for {code}")
            cells[f"cap-{code}"] = [f"Enter the agency cap for {code}."]
    if problems:
        errors["agency_caps"] = problems
    return out


def _check_date(effective_from, backdated_reason, actor, errors):
    if not isinstance(effective_from, date):
        errors["effective_from"] = ["Enter the date the card takes effect, e.g. 2026-04-01."]
        return
    if effective_from < london_date(now_utc()):
        if not (backdated_reason or "").strip():
            errors["effective_from"] = [
                "The date is in the past. A card can only be backdated by an administrator giving a reason."]
        elif actor is None or not actor.has_role("admin"):
            raise Forbidden("Only an administrator can backdate a rate card.")
    if db.session.execute(db.select(RateCard.id).filter_by(effective_from=effective_from)).first():
        errors.setdefault("effective_from", []).append(
            f"A rate card already takes effect on {effective_from.isoformat()}.")


class CardInvalid(ValidationFailed):
    """A rejected card; ``cells`` maps 'rate-<grade>-<band>' / 'cap-<grade>' to messages for the grid."""

    def __init__(self, errors, cells):
        super().__init__("The rate card is not complete or not valid.", errors=errors)
        self.cells = cells


def create_rate_card(*, effective_from, rates, agency_caps, backdated_reason=None, note=None, actor) -> RateCard:
    """A new card version: every grade × band rate and every grade's agency cap, all > £0.

    ``rates``: [{grade: code, band, hourly_rate}], ``agency_caps``: [{grade: code,
    hourly_cap}], amounts as Decimal or money text. A past ``effective_from``
    needs an admin and a ``backdated_reason`` (audited).
    """
    grades = {g.code: g for g in db.session.execute(db.select(Grade).order_by(Grade.rank)).scalars()}
    errors, cells = {}, {}
    _check_date(effective_from, backdated_reason, actor, errors)
    if not grades:
        errors["rates"] = ["There are no grades yet: add grades first."]
    parsed_rates = _check_rates(rates, grades, errors, cells)
    parsed_caps = _check_caps(agency_caps, grades, errors, cells)
    if errors:
        raise CardInvalid(errors, cells)
    backdated = effective_from < london_date(now_utc())
    card = RateCard(effective_from=effective_from, created_by_id=getattr(actor, "id", None),
                    backdated_reason=backdated_reason.strip() if backdated else None, note=note or None)
    card.rates = [RateCardRate(grade_id=grades[c].id, band=b, hourly_rate=v) for (c, b), v in parsed_rates.items()]
    card.agency_caps = [AgencyCap(grade_id=grades[c].id, hourly_cap=v) for c, v in parsed_caps.items()]
    try:
        with db.session.begin_nested():
            db.session.add(card)
            db.session.flush()
    except IntegrityError as exc:
        if violated(exc, "uq_rate_cards_effective_from", columns="rate_cards.effective_from"):
            msg = f"A rate card already takes effect on {effective_from.isoformat()}."
            raise CardInvalid({"effective_from": [msg]}, {}) from None
        raise
    record_audit("rate_card.backdated" if backdated else "rate_card.created", "rate_card", card.id, actor=actor,
                 after={"effective_from": effective_from, "backdated_reason": card.backdated_reason, "note": note,
                        "rates": {f"{c}/{b}": v for (c, b), v in parsed_rates.items()},
                        "agency_caps": parsed_caps})
    log.info("rate card %s created, effective from %s", card.id, effective_from)
    emit("rate_card.published", card=card, actor=actor)
    return card


def card_history() -> list[RateCard]:
    return db.session.execute(db.select(RateCard).order_by(RateCard.effective_from.desc())).scalars().all()


def card_grid(card: RateCard) -> list[dict]:
    """Rows for display and the API: one per grade (by rank) with its band rates and cap."""
    grades = db.session.execute(db.select(Grade).order_by(Grade.rank)).scalars().all()
    return [{"grade": g, "rates": card_rates(card, g.id), "cap": card_cap(card, g.id)} for g in grades
            if card_rates(card, g.id) or card_cap(card, g.id) is not None]
