"""Rate cards (admin writes, staff read), the post form's price preview, rate violations."""
from flask import g
from flask_smorest import Blueprint

from ..apiutil import ListQuerySchema, keyset_page, list_schema
from ..auth.permissions import api_auth, can_act_on_site
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..org.services import grade_by_code
from . import cards, services, violations
from .models import RateCard, RateViolation
from .schemas import (
    DecisionSchema,
    PreviewQuerySchema,
    PreviewSchema,
    RateCardCreateSchema,
    RateCardSchema,
    RateCardSummarySchema,
    RateViolationSchema,
    RevisedSchema,
    ReviseSchema,
    ViolationListQuerySchema,
)

blp = Blueprint("rates_api", __name__, url_prefix="/api/v1", description="Rate cards and rate violations")
SECURITY = [{"bearerAuth": []}]
PRICING_ROLES = ("coordinator", "approver", "executive", "chief_executive", "admin")


@blp.post("/rate-cards")
@blp.arguments(RateCardCreateSchema)
@blp.response(201, RateCardSchema)
@blp.doc(security=SECURITY)
@api_auth("admin")
def create_rate_card(body):
    """A new card version. Every grade × band cell and every grade's cap is required; a past
    `effective_from` needs `backdated_reason` (audited). Problems name the cells."""
    card = cards.create_rate_card(**body, actor=g.actor)
    return card


@blp.get("/rate-cards")
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, list_schema(RateCardSummarySchema, "RateCardList"))
@blp.doc(security=SECURITY)
@api_auth()
def list_rate_cards(query):
    """Every card version (history), oldest created first."""
    return keyset_page(db.session, db.select(RateCard), RateCard.id, **query)


@blp.get("/rate-cards/current")
@blp.response(200, RateCardSchema)
@blp.doc(security=SECURITY)
@api_auth()
def current_rate_card():
    """The card in force today (London date)."""
    card = services.current_card()
    if card is None:
        raise NotFound("No rate card is in force today.")
    return card


@blp.get("/rate-cards/<int:card_id>")
@blp.response(200, RateCardSchema)
@blp.doc(security=SECURITY)
@api_auth()
def get_rate_card(card_id):
    card = db.session.get(RateCard, card_id)
    if card is None:
        raise NotFound("No such rate card.")
    return card


@blp.get("/rate-cards/preview")
@blp.arguments(PreviewQuerySchema, location="query")
@blp.response(200, PreviewSchema)
@blp.doc(security=SECURITY)
@api_auth(*PRICING_ROLES)
def preview_price(query):
    """The card price of a shift by band (the card in force at its start) and, with
    `hourly_rate`, whether that flat rate would be a rate violation and who must approve it."""
    grade = grade_by_code(query["grade"])
    if grade is None:
        raise ValidationFailed("Unknown grade.", errors={"grade": [f"Unknown grade: {query['grade']}."]})
    return services.preview(grade_id=grade.id, start=query["start"], end=query["end"],
                            hourly_rate=query["hourly_rate"])


@blp.get("/rate-violations")
@blp.arguments(ViolationListQuerySchema, location="query")
@blp.response(200, list_schema(RateViolationSchema, "RateViolationList"))
@blp.doc(security=SECURITY)
@api_auth(*violations.DECIDER_ROLES)
def list_rate_violations(query):
    """Rate violations on the caller's sites (executives: every site)."""
    stmt = violations.violations_query(g.actor, status=query.pop("status"), site_id=query.pop("site_id"))
    return keyset_page(db.session, stmt, RateViolation.id, **query)


def _violation_in_scope(violation_id, *roles):
    violation = violations.get_violation(violation_id)

    if not can_act_on_site(g.actor, violation.shift.site_id, *roles):
        raise NotFound("No such rate violation.")
    return violation


@blp.get("/rate-violations/<int:violation_id>")
@blp.response(200, RateViolationSchema)
@blp.doc(security=SECURITY)
@api_auth(*violations.DECIDER_ROLES, "coordinator")
def get_rate_violation(violation_id):
    return _violation_in_scope(violation_id, *violations.DECIDER_ROLES, "coordinator")


@blp.post("/rate-violations/<int:violation_id>/approve")
@blp.arguments(DecisionSchema)
@blp.response(200, RateViolationSchema)
@blp.alt_response(403, description="Own request, or a role below the one required (another site's: 404)")
@blp.alt_response(409, description="Already decided")
@blp.doc(security=SECURITY)
@api_auth(*violations.DECIDER_ROLES)
def approve_rate_violation(body, violation_id):
    """Approve the flat rate: the shift opens and the breach register records it."""
    violation = violations.approve_violation(_violation_in_scope(violation_id, *violations.DECIDER_ROLES),
                                             actor=g.actor, note=body["note"])
    return violation


@blp.post("/rate-violations/<int:violation_id>/reject")
@blp.arguments(DecisionSchema)
@blp.response(200, RateViolationSchema)
@blp.alt_response(403, description="Own request, or a role below the one required (another site's: 404)")
@blp.alt_response(409, description="Already decided")
@blp.doc(security=SECURITY)
@api_auth(*violations.DECIDER_ROLES)
def reject_rate_violation(body, violation_id):
    """Reject the flat rate (note required): the shift stays held and returns to its coordinator."""
    violation = violations.reject_violation(_violation_in_scope(violation_id, *violations.DECIDER_ROLES),
                                            actor=g.actor, note=body["note"])
    return violation


@blp.post("/rate-violations/<int:violation_id>/revise")
@blp.arguments(ReviseSchema)
@blp.response(200, RevisedSchema)
@blp.alt_response(409, description="Not a rejected rate of a held shift")
@blp.doc(security=SECURITY)
@api_auth("coordinator")
def revise_rate(body, violation_id):
    """The coordinator's answer to a rejection: a new flat rate (re-assessed: within the card
    the shift opens, above it a new pending violation) or null to pay card rates."""
    violation = _violation_in_scope(violation_id, "coordinator")
    shift, new = violations.revise_rate(violation, actor=g.actor, hourly_rate=body["hourly_rate"],
                                        reason=body["reason"])
    return {"shift": shift, "rate_violation": new}
