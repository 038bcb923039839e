"""Rate approval: a shift whose flat rate costs more than the card waits for leadership.

Up to the site policy's ``approver_max_percent`` over the card an approver of the
shift's site decides, above it an executive. Nobody decides their own request.
An approval opens the shift and enters the breach register; a rejection sends
the shift back to its coordinator, who revises the rate (re-assessed) or
cancels the shift. Violation rows are never deleted: they are the history.
The shift's own moves (held, opened) are ``lifecycle`` transitions; the
prices come from ``rates``.
"""
import logging

from sqlalchemy import func

from ..audit.services import record_audit, record_breach
from ..auth import duties
from ..auth.duties import ensure_not_own
from ..auth.permissions import can_act_on_site, holds_at_least, sites_in_scope
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..fields import FLAT_RATE_NOT_POSITIVE
from ..rates import rules
from ..rates.models import RateViolation
from ..rates.services import approver_max_percent, card_breakdown, price
from ..timeutil import now_utc
from . import lifecycle
from .locking import lock_shift
from .models import Shift

log = logging.getLogger(__name__)

DECIDER_ROLES = ("approver", "executive", "chief_executive")
WAITING = lifecycle.HELD


def price_against_card(shift):
    """``(flat price, card price)`` when the shift's flat rate costs more than the card, else None.

    Card-rate shifts never do. No card in force at the start → 422 on ``start``.
    """
    if shift.hourly_rate is None:
        return None
    _card, card_bd = card_breakdown(shift.grade_id, shift.start_at, shift.end_at)
    flat_bd = price(shift.start_at, shift.end_at, flat_rate=shift.hourly_rate)
    return (flat_bd, card_bd) if rules.is_rate_violation(flat_bd, card_bd) else None


def has_approved_rate(shift) -> bool:
    return db.session.execute(db.select(RateViolation.id).where(
        RateViolation.shift_id == shift.id, RateViolation.status == "approved").limit(1)).first() is not None


def open_violation(shift, flat_bd, card_bd, *, actor, reason) -> RateViolation:
    """Record the violation of a shift held for its rate (``lifecycle`` holds it), for someone to decide."""
    percent = rules.percent_over(flat_bd.total, card_bd.total)
    required_role = rules.required_role_for_totals(flat_bd.total, card_bd.total, approver_max_percent(shift.site))
    violation = RateViolation(
        shift_id=shift.id, status="pending", required_role=required_role,
        percent_over=percent, flat_rate=shift.hourly_rate, flat_total=flat_bd.total, card_total=card_bd.total,
        reason=(reason or "").strip() or None, requested_by_id=actor.id)
    db.session.add(violation)
    db.session.flush()
    record_audit("rate_violation.opened", "rate_violation", violation.id, actor=actor,
                 after={"shift_id": shift.id, "flat_rate": shift.hourly_rate, "flat_total": flat_bd.total,
                        "card_total": card_bd.total, "percent_over": percent,
                        "required_role": violation.required_role, "reason": violation.reason})
    log.info("rate violation %s on shift %s: %s%% over", violation.id, shift.id, percent)
    return violation


def get_violation(violation_id) -> RateViolation:
    violation = db.session.get(RateViolation, violation_id)
    if violation is None:
        raise NotFound("No such rate violation.")
    return violation


def may_decide(violation, user) -> bool:
    """Whether ``user`` may approve or reject (for pages: show the buttons)."""
    return (duties.may_decide(user, requested_by_id=violation.requested_by_id)
            and holds_at_least(user, violation.required_role)
            and can_act_on_site(user, violation.shift.site_id, *DECIDER_ROLES))


def _check_decider(violation, actor):
    ensure_not_own(actor, requested_by_id=violation.requested_by_id, what="this rate request")
    if not holds_at_least(actor, violation.required_role):
        over = rules.percent_words(violation.flat_total, violation.card_total)
        raise Forbidden(f"This rate is {over} over the card: "
                        f"it needs an {violation.required_role} or more senior to decide.")
    if not can_act_on_site(actor, violation.shift.site_id, *DECIDER_ROLES):
        raise Forbidden("You do not approve rates for this site.")


def _decide(violation, status, actor, note):
    """pending → ``status`` atomically: a second decision gets 409. The shift is locked first, so a
    decision and a cancellation do not cross."""
    if lock_shift(violation.shift_id).status != WAITING and violation.status == "pending":
        raise Conflict("The shift is no longer waiting for rate approval.")
    done = db.session.execute(
        db.update(RateViolation).where(RateViolation.id == violation.id, RateViolation.status == "pending")
        .values(status=status, decided_by_id=actor.id, decided_at=now_utc(), decision_note=note)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.refresh(violation)
        raise Conflict(f"This rate violation has already been {violation.status}.")
    db.session.refresh(violation)


def approve_violation(violation, *, actor, note=None) -> RateViolation:
    """Approve the rate: the shift opens and the breach register records it."""
    _check_decider(violation, actor)
    note = (note or "").strip() or None
    _decide(violation, "approved", actor, note)
    shift = violation.shift
    record_breach("rate_violation", site_id=shift.site_id, shift_id=shift.id,
                  amount_over=violation.flat_total - violation.card_total, approved_by=actor, reason=note,
                  source_type="rate_violation", source_id=violation.id)
    record_audit("rate_violation.approved", "rate_violation", violation.id, actor=actor,
                 before={"status": "pending"}, after={"status": "approved", "note": note})
    lifecycle.open_to_bank(shift, actor=actor)
    return violation


def reject_violation(violation, *, actor, note) -> RateViolation:
    """Reject the rate: the shift stays held and goes back to its coordinator."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("Say why the rate is rejected.", errors={"note": ["Say why the rate is rejected."]})
    _check_decider(violation, actor)
    _decide(violation, "rejected", actor, note)
    record_audit("rate_violation.rejected", "rate_violation", violation.id, actor=actor,
                 before={"status": "pending"}, after={"status": "rejected", "note": note})
    db.session.flush()
    return violation


def _latest_for_shift(shift_id) -> int | None:
    return db.session.execute(db.select(func.max(RateViolation.id)).where(RateViolation.shift_id == shift_id)).scalar()


def revise_rate(violation, *, actor, hourly_rate, reason=None):
    """The coordinator's answer to a rejection: a new flat rate, or None for card rates.

    Re-assessed at once: within the card the shift opens; still over it, a new
    pending violation. Returns (shift, new violation or None).
    """
    shift = violation.shift
    if not (actor.has_role("coordinator") and can_act_on_site(actor, shift.site_id, "coordinator")):
        raise Forbidden("Only a coordinator of this site can revise the rate.")
    shift = lock_shift(shift.id)
    if violation.status != "rejected" or shift.status != WAITING or _latest_for_shift(shift.id) != violation.id:
        raise Conflict("Only a rejected rate whose shift is still held can be revised.")
    if hourly_rate is not None and hourly_rate <= 0:
        raise ValidationFailed(FLAT_RATE_NOT_POSITIVE, errors={"hourly_rate": [FLAT_RATE_NOT_POSITIVE]})
    reason = (reason or "").strip() or None
    _card, card_bd = card_breakdown(shift.grade_id, shift.start_at, shift.end_at)  # 422 when no card prices it
    if hourly_rate is not None and reason is None and \
            rules.is_rate_violation(price(shift.start_at, shift.end_at, flat_rate=hourly_rate), card_bd):
        raise ValidationFailed("Say why this rate is needed: it is still above the card.",
                               errors={"reason": ["Say why this rate is needed: it is still above the card."]})
    before = shift.hourly_rate
    shift.hourly_rate = hourly_rate
    db.session.flush()
    record_audit("shift.rate_revised", "shift", shift.id, actor=actor, before={"hourly_rate": before},
                 after={"hourly_rate": hourly_rate, "reason": reason, "after_violation": violation.id})
    return shift, reassess(shift, actor=actor, reason=reason)


def reassess(shift, *, actor, reason=None) -> RateViolation | None:
    """Price a shift whose rate, times or grade changed against the card again (the caller holds its lock).

    A violation still pending was for the old terms: it is withdrawn. Within
    the card a held shift opens (an open one stays open); above it the shift
    is held with a new pending violation, which is returned. An approval given
    earlier covered the terms it was given for, so it does not carry over.
    """
    withdraw_pending(shift, actor=actor)
    over_card = price_against_card(shift)
    if over_card is None:
        if shift.status == WAITING:
            lifecycle.open_to_bank(shift, actor=actor)
        return None
    lifecycle.hold_for_rate_approval(shift, actor=actor)
    return open_violation(shift, *over_card, actor=actor, reason=reason)


def withdraw_pending(shift, *, actor) -> list[RateViolation]:
    """Withdraw the shift's pending violations (its terms changed before anyone decided)."""
    pending = db.session.execute(db.select(RateViolation).where(
        RateViolation.shift_id == shift.id, RateViolation.status == "pending")).scalars().all()
    for violation in pending:
        violation.status = "withdrawn"
        record_audit("rate_violation.withdrawn", "rate_violation", violation.id, actor=actor,
                     before={"status": "pending"}, after={"status": "withdrawn", "cause": "shift_edited"})
    db.session.flush()
    return pending


# --- lists ---------------------------------------------------------------------------


def violations_query(user, *, status=None, site_id=None):
    """Violations on the sites where ``user`` decides rates; pending ones only while the shift is held."""
    scope = sites_in_scope(user, *DECIDER_ROLES)
    stmt = db.select(RateViolation).join(Shift, RateViolation.shift_id == Shift.id)
    if scope is not None:
        stmt = stmt.where(Shift.site_id.in_(scope))
    if site_id is not None:
        stmt = stmt.where(Shift.site_id == site_id)
    if status:
        stmt = stmt.where(RateViolation.status == status)
    if status == "pending":
        stmt = stmt.where(Shift.status == WAITING)
    return stmt


def pending_for(user) -> list[RateViolation]:
    """The approval queue of ``user``: pending violations they may decide, oldest first."""
    rows = db.session.execute(violations_query(user, status="pending").order_by(RateViolation.id)).scalars().all()
    return [v for v in rows if holds_at_least(user, v.required_role)]


def pending_count(user) -> int:
    return len(pending_for(user))


def returned_to(user) -> list[RateViolation]:
    """Rejected rates waiting for the coordinator: the latest violation of a still-held shift."""
    scope = sites_in_scope(user, "coordinator")
    latest = (db.select(func.max(RateViolation.id)).group_by(RateViolation.shift_id)).scalar_subquery()
    stmt = (db.select(RateViolation).join(Shift, RateViolation.shift_id == Shift.id)
            .where(RateViolation.status == "rejected", Shift.status == WAITING, RateViolation.id.in_(latest))
            .order_by(RateViolation.decided_at))
    if scope is not None:
        stmt = stmt.where(Shift.site_id.in_(scope))
    return db.session.execute(stmt).scalars().all()
