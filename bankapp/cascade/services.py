"""Agencies and the agency cascade: requests, approval, release and the tiers.

Bank first: a coordinator asks for agency cover with a reason, an approver of
the site decides, approval releases the shift to tier 1 agencies and a job
(``escalate_to_tier2``) widens it to tier 2 when tier 1 has not filled it in
time. Offers are in ``offers.py``. Services flush and never commit.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_audit
from ..auth import duties
from ..auth.permissions import require_site
from ..errors import Conflict, NotFound, RuleRefused, ValidationFailed, violated
from ..extensions import db
from ..org.policies import policies_by_site, policy_for
from ..shifts import lifecycle
from ..shifts.locking import lock_shift
from ..shifts.models import Shift
from ..timeutil import format_london, now_utc
from . import rules
from .models import LIVE_OFFER_STATUSES, Agency, AgencyNotice, AgencyOffer, CascadeRequest

log = logging.getLogger(__name__)


def create_agency(*, name, tier, on_framework, actor) -> Agency:
    if db.session.execute(db.select(Agency.id).filter_by(name=name)).first():
        raise Conflict(f"An agency called {name} already exists.", errors={"name": ["Already in use."]})
    agency = Agency(name=name, tier=tier, on_framework=on_framework)
    db.session.add(agency)
    db.session.flush()
    record_audit("agency.created", "agency", agency.id, actor=actor,
                 after={"name": name, "tier": tier, "on_framework": on_framework})
    return agency


def _required_text(value, field, message):
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, errors={field: [message]})
    return text


# --- cascade requests ---------------------------------------------------------


def request_cascade(shift, *, actor, reason, now=None) -> CascadeRequest:
    """A coordinator of the site asks for agency cover of an open shift."""
    require_site(actor, shift.site_id, "coordinator")
    reason = _required_text(reason, "reason", "Say why the bank cannot fill this shift.")
    now = now or now_utc()
    shift = lock_shift(shift.id)
    if shift.status != "open":
        raise Conflict(_not_open_message(shift))
    refused = timing_reasons(shift, now)
    if refused:
        raise RuleRefused("The shift is still in its bank-only window.", reasons=refused,
                          extensions={"bank_only_until": format_london(bank_only_until(shift))})
    request = CascadeRequest(shift_id=shift.id, reason=reason, requested_by_id=actor.id, created_at=now)
    db.session.add(request)
    try:
        db.session.flush()
    except IntegrityError as exc:
        if violated(exc, "uq_cascade_requests_one_pending_per_shift", columns="cascade_requests.shift_id"):
            raise Conflict("Agency cover for this shift has already been asked for.") from exc
        raise
    record_audit("cascade.requested", "cascade_request", request.id, actor=actor,
                 after={"shift_id": shift.id, "reason": reason})
    return request


@dataclass(frozen=True)
class CoverOutlook:
    """Whether agency cover can be asked for now and, when not, why (for the coordinator's pages)."""

    possible: bool
    bank_only_until: datetime | None
    pending: CascadeRequest | None = None
    why_not: str | None = None


def pending_request(shift_id) -> CascadeRequest | None:
    return db.session.execute(db.select(CascadeRequest).filter_by(
        shift_id=shift_id, status="pending_approval")).unique().scalar()


LOOK_IT_UP = object()


def cover_outlook(shift, now=None, *, pending=LOOK_IT_UP) -> CoverOutlook:
    """Can agency cover of ``shift`` be asked for now? Open, nothing pending, out of its bank-only window
    (or urgent). ``pending``: the shift's pending request (or None) when the caller already knows it."""
    until = bank_only_until(shift)
    if shift.status != "open":
        return CoverOutlook(False, until, why_not=_not_open_message(shift))
    pending = pending_request(shift.id) if pending is LOOK_IT_UP else pending
    if pending is not None:
        return CoverOutlook(False, until, pending, "Agency cover has been asked for and awaits an approver.")
    refused = timing_reasons(shift, now or now_utc())
    if refused:
        return CoverOutlook(False, until, why_not=refused[0].message)
    return CoverOutlook(True, until)


def timing_reasons(shift, now) -> list:
    """Why agency cover cannot be asked for yet: the site's bank-only window (empty when it may)."""
    policy = policy_for(shift.site)
    return rules.cascade_timing_reasons(
        opened_at=shift.opened_at or shift.created_at, starts_at=shift.start_at, now=now,
        bank_only_hours=policy.bank_only_window_hours, urgent_within_hours=policy.cascade_urgent_within_hours)


def bank_only_until(shift):
    """When the shift's bank-only window ends (by its site's policy), or None if it never opened."""
    if shift.opened_at is None:
        return None
    return rules.bank_only_until(shift.opened_at, policy_for(shift.site).bank_only_window_hours)


def _not_open_message(shift) -> str:
    if shift.status in rules.RELEASED_STATUSES:
        return "This shift has already been released to agencies."
    if shift.status in ("booked", "completed"):
        return "This shift is already booked."
    if shift.status == "cancelled":
        return "This shift has been cancelled."
    return "Only an open shift can go to agencies."


def may_decide(request, actor) -> bool:
    """For pages: show the decide buttons only to someone who did not ask for the cover."""
    return duties.may_decide(actor, requested_by_id=request.requested_by_id)


def _decide(request, *, actor, status, note):
    """Nobody decides their own request (a user who is coordinator and approver at the site): 403 own_request."""
    require_site(actor, request.shift.site_id, "approver")
    duties.ensure_not_own(actor, requested_by_id=request.requested_by_id, what="this request for agency cover")
    request = db.session.execute(
        db.select(CascadeRequest).where(CascadeRequest.id == request.id).with_for_update(of=CascadeRequest)
        .execution_options(populate_existing=True)).unique().scalar_one()
    if request.status != "pending_approval":
        raise Conflict("This request has already been decided.")
    request.status = status
    request.decided_by_id = actor.id
    request.decided_at = now_utc()
    request.note = (note or "").strip() or None
    return request


def approve_cascade(request, *, actor, note=None, now=None) -> CascadeRequest:
    """An approver of the site approves: the shift goes to tier 1 agencies."""
    request = _decide(request, actor=actor, status="approved", note=note)
    shift = lock_shift(request.shift_id)
    if shift.status != "open":
        raise Conflict(_not_open_message(shift))
    record_audit("cascade.approved", "cascade_request", request.id, actor=actor,
                 before={"status": "pending_approval"}, after={"status": "approved", "note": request.note})
    lifecycle.release(shift, tier=1, actor=actor, now=now or now_utc())
    return request


def reject_cascade(request, *, actor, note=None) -> CascadeRequest:
    request = _decide(request, actor=actor, status="rejected", note=note)
    db.session.flush()
    record_audit("cascade.rejected", "cascade_request", request.id, actor=actor,
                 before={"status": "pending_approval"}, after={"status": "rejected", "note": request.note})
    return request


def withdraw_pending_requests(shift_id, *, actor, note) -> int:
    """Close requests still awaiting a decision (the shift was filled or cancelled)."""
    pending = db.session.execute(db.select(CascadeRequest).filter_by(
        shift_id=shift_id, status="pending_approval")).unique().scalars().all()
    for request in pending:
        request.status = "withdrawn"
        request.decided_at = now_utc()
        request.note = note
        record_audit("cascade.withdrawn", "cascade_request", request.id, actor=actor,
                     before={"status": "pending_approval"}, after={"status": "withdrawn", "note": note})
    db.session.flush()
    return len(pending)


# --- tiers ----------------------------------------------------------------------


def escalate_to_tier2(now=None) -> list[int]:
    """Release to tier 2 every shift still with tier 1 only after its site's tier-1 window.

    Safe to run twice: a shift already in tier 2 (or filled) is left alone.
    Rows locked by another run are skipped (PostgreSQL). Returns the shift ids.
    """
    now = now or now_utc()
    due = [and_(Shift.site_id == site_id, Shift.released_tier1_at <= now - timedelta(hours=policy.tier1_window_hours))
           for site_id, policy in policies_by_site().items()]
    if not due:
        return []
    stmt = (db.select(Shift).where(Shift.status == "released_tier1", or_(*due))
            .order_by(Shift.id).with_for_update(of=Shift, skip_locked=True)
            .execution_options(populate_existing=True))
    moved = []
    for shift in db.session.execute(stmt).unique().scalars():
        lifecycle.release(shift, tier=2, actor=None, now=now)
        moved.append(shift.id)
    if moved:
        log.info("released %d shift(s) to tier 2 agencies: %s", len(moved), moved)
    return moved


def shifts_for_agency(agency, *, now=None):
    """Statement for the shifts this agency may see: released to its tier, not started."""
    now = now or now_utc()
    return (db.select(Shift).where(Shift.status.in_(rules.visible_statuses(agency.tier)), Shift.start_at > now)
            .order_by(Shift.start_at, Shift.id))


def visible_shift_for_agency(shift_id, agency, *, now=None) -> Shift:
    """The shift if this agency may see it; NotFound otherwise (never say why)."""
    shift = db.session.execute(shifts_for_agency(agency, now=now).where(Shift.id == shift_id)).unique().scalar()
    if shift is None:
        raise NotFound("No such shift.")
    return shift


# --- telling agencies -----------------------------------------------------------


def notify_agency(offer, kind, message) -> AgencyNotice:
    notice = AgencyNotice(agency_id=offer.agency_id, shift_id=offer.shift_id, offer_id=offer.id, kind=kind,
                          message=message)
    db.session.add(notice)
    return notice


def close_live_offers(shift_id, *, status, kind, message, actor, keep=None) -> list[AgencyOffer]:
    """Decline or withdraw every live offer of a shift (except ``keep``) and tell the agencies."""
    offers = db.session.execute(
        db.select(AgencyOffer).where(AgencyOffer.shift_id == shift_id, AgencyOffer.status.in_(LIVE_OFFER_STATUSES))
        .order_by(AgencyOffer.id)).unique().scalars().all()
    closed = []
    for offer in offers:
        if keep is not None and offer.id == keep.id:
            continue
        before = offer.status
        offer.status = status
        offer.decided_at = now_utc()
        notify_agency(offer, kind, message)
        record_audit(f"agency_offer.{status}", "agency_offer", offer.id, actor=actor,
                     before={"status": before}, after={"status": status, "why": message})
        closed.append(offer)
    db.session.flush()
    return closed
