"""Rate violations API: off-card rates waiting for leadership, decided by an approver or executive."""
from flask import g
from flask_smorest import Blueprint

from ..apiutil import keyset_page, list_schema
from ..auth.permissions import api_auth, can_act_on_site
from ..errors import NotFound
from ..extensions import db
from ..rates.models import RateViolation
from ..rates.schemas import (
    DecisionSchema,
    RateViolationSchema,
    RevisedSchema,
    ReviseSchema,
    ViolationListQuerySchema,
)
from . import rate_approval

blp = Blueprint("rate_violations_api", __name__, url_prefix="/api/v1",
                description="Rate violations: off-card rates waiting for approval")
SECURITY = [{"bearerAuth": []}]


@blp.get("/rate-violations")
@blp.arguments(ViolationListQuerySchema, location="query")
@blp.response(200, list_schema(RateViolationSchema, "RateViolationList"))
@blp.doc(security=SECURITY)
@api_auth(*rate_approval.DECIDER_ROLES)
def list_rate_violations(query):
    """Rate violations on the caller's sites (executives: every site)."""
    stmt = rate_approval.violations_query(g.actor, status=query.pop("status"), site_id=query.pop("site_id"))
    return keyset_page(db.session, stmt, RateViolation.id, **query)


def _violation_in_scope(violation_id, *roles):
    violation = rate_approval.get_violation(violation_id)

    if not can_act_on_site(g.actor, violation.shift.site_id, *roles):
        raise NotFound("No such rate violation.")
    return violation


@blp.get("/rate-violations/<int:violation_id>")
@blp.response(200, RateViolationSchema)
@blp.doc(security=SECURITY)
@api_auth(*rate_approval.DECIDER_ROLES, "coordinator")
def get_rate_violation(violation_id):
    return _violation_in_scope(violation_id, *rate_approval.DECIDER_ROLES, "coordinator")


DECISIONS = {
    "approve": (rate_approval.approve_violation,
                "Approve the flat rate: the shift opens and the breach register records it."),
    "reject": (rate_approval.reject_violation,
               "Reject the flat rate (note required): the shift stays held and returns to its coordinator."),
}


def _decision(action):
    """The approve and reject routes: the same shape, one service each."""
    decide, doc = DECISIONS[action]

    def view(body, violation_id):
        return decide(_violation_in_scope(violation_id, *rate_approval.DECIDER_ROLES), actor=g.actor,
                      note=body["note"])

    view.__name__, view.__doc__ = f"{action}_rate_violation", doc  # named before the route takes its endpoint
    view = api_auth(*rate_approval.DECIDER_ROLES)(view)
    view = blp.doc(security=SECURITY)(view)
    view = blp.alt_response(409, description="Already decided")(view)
    view = blp.alt_response(403, description="Own request, or a role below the one required (another site's: "
                                             "404)")(view)
    view = blp.response(200, RateViolationSchema)(view)
    view = blp.arguments(DecisionSchema)(view)
    return blp.post(f"/rate-violations/<int:violation_id>/{action}")(view)


approve_rate_violation = _decision("approve")
reject_rate_violation = _decision("reject")


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
    shift, new = rate_approval.revise_rate(violation, actor=g.actor, hourly_rate=body["hourly_rate"],
                                        reason=body["reason"])
    return {"shift": shift, "rate_violation": new}
