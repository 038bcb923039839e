"""Agencies (admin), the agency cascade, agency offers and the weekly agency return."""
from flask import Response, g
from flask_smorest import Blueprint

from ..apiutil import ListQuerySchema, keyset_page, list_schema
from ..auth.permissions import api_auth
from ..errors import Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..reports import agency_return
from ..shifts.models import Shift
from ..shifts.queries import visible_shift
from . import offers, queries, services
from .models import Agency, AgencyOffer, CascadeRequest
from .schemas import (
    AgencySchema,
    AgencyShiftSchema,
    CascadeCreateSchema,
    CascadeDecisionSchema,
    CascadeQuerySchema,
    CascadeRequestSchema,
    NoticeSchema,
    OfferCreateSchema,
    OfferQuerySchema,
    OfferReasonSchema,
    OfferSchema,
    WeekQuerySchema,
)

blp = Blueprint("agencies_api", __name__, url_prefix="/api/v1", description="Agencies")
cascade_blp = Blueprint("cascade_api", __name__, url_prefix="/api/v1",
                        description="Agency cascade: requests, release to tiers, offers, break-glass approvals")
SECURITY = [{"bearerAuth": []}]
BLUEPRINTS = [blp, cascade_blp]


@blp.post("/agencies")
@blp.arguments(AgencySchema)
@blp.response(201, AgencySchema)
@blp.doc(security=SECURITY)
@api_auth("admin")
def create_agency(body):
    agency = services.create_agency(**body, actor=g.actor)
    return agency


@blp.get("/agencies")
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, list_schema(AgencySchema, "AgencyList"))
@blp.doc(security=SECURITY)
@api_auth("admin", "coordinator", "approver", "executive", "chief_executive")
def list_agencies(query):
    return keyset_page(db.session, db.select(Agency), Agency.id, **query)


def _shift_or_404(shift_id) -> Shift:
    """The shift, or 404 when the caller may not see it (another site's coordinator)."""
    shift = visible_shift(g.actor, shift_id)
    if shift is None:
        raise NotFound("No such shift.")
    return shift


def _request_or_404(request_id) -> CascadeRequest:
    """The request, or 404 when its shift is not one the caller may see (another site's approver)."""
    request = db.session.get(CascadeRequest, request_id)
    if request is None or visible_shift(g.actor, request.shift_id) is None:
        raise NotFound("No such cascade request.")
    return request


# --- cascade requests -------------------------------------------------------------


@cascade_blp.post("/shifts/<int:shift_id>/cascade")
@cascade_blp.arguments(CascadeCreateSchema)
@cascade_blp.response(201, CascadeRequestSchema)
@cascade_blp.alt_response(409, description="The shift is booked, cancelled, already released or already requested")
@cascade_blp.alt_response(422, description="`cascade_too_early`: still in the bank-only window")
@cascade_blp.doc(security=SECURITY)
@api_auth("coordinator")
def request_cascade(body, shift_id):
    """Ask for agency cover of an open shift the bank cannot fill (reason required)."""
    request = services.request_cascade(_shift_or_404(shift_id), actor=g.actor, reason=body["reason"])
    return request


@cascade_blp.get("/cascade-requests")
@cascade_blp.arguments(CascadeQuerySchema, location="query")
@cascade_blp.response(200, list_schema(CascadeRequestSchema, "CascadeRequestList"))
@cascade_blp.doc(security=SECURITY)
@api_auth(*queries.REQUEST_READERS)
def list_cascade_requests(query):
    stmt = queries.cascade_requests_for(g.actor, status=query.pop("status"))
    return keyset_page(db.session, stmt, CascadeRequest.id, **query)


@cascade_blp.post("/cascade-requests/<int:request_id>/approve")
@cascade_blp.arguments(CascadeDecisionSchema)
@cascade_blp.response(200, CascadeRequestSchema)
@cascade_blp.doc(security=SECURITY)
@api_auth("approver")
def approve_cascade(body, request_id):
    """Approve: the shift is released to tier 1 agencies (and to tier 2 after the tier window)."""
    request = services.approve_cascade(_request_or_404(request_id), actor=g.actor, note=body.get("note"))
    return request


@cascade_blp.post("/cascade-requests/<int:request_id>/reject")
@cascade_blp.arguments(CascadeDecisionSchema)
@cascade_blp.response(200, CascadeRequestSchema)
@cascade_blp.doc(security=SECURITY)
@api_auth("approver")
def reject_cascade(body, request_id):
    request = services.reject_cascade(_request_or_404(request_id), actor=g.actor, note=body.get("note"))
    return request


# --- the agency's side --------------------------------------------------------------


def _actor_agency():
    if g.actor.agency is None:
        raise Forbidden("This account does not belong to an agency.")
    return g.actor.agency


@cascade_blp.get("/agency/shifts")
@cascade_blp.arguments(ListQuerySchema, location="query")
@cascade_blp.response(200, list_schema(AgencyShiftSchema, "AgencyShiftList"))
@cascade_blp.doc(security=SECURITY)
@api_auth("agency")
def agency_shifts(query):
    """Shifts released to the agency's tier that have not started. Filled shifts vanish."""
    return keyset_page(db.session, services.shifts_for_agency(_actor_agency()).order_by(None), Shift.id, **query)


@cascade_blp.get("/agency/notices")
@cascade_blp.response(200, list_schema(NoticeSchema, "AgencyNoticeList"))
@cascade_blp.doc(security=SECURITY)
@api_auth("agency")
def agency_notices():
    """The latest things the trust has told this agency about its offers."""
    return {"items": queries.notices_for(_actor_agency().id, limit=100), "next": None}


@cascade_blp.post("/shifts/<int:shift_id>/agency-offers")
@cascade_blp.arguments(OfferCreateSchema)
@cascade_blp.response(201, OfferSchema)
@cascade_blp.alt_response(404, description="No shift released to this agency's tier has this id")
@cascade_blp.alt_response(422, description="Bad field, or `grade_mismatch` / `locum_on_bank`")
@cascade_blp.doc(security=SECURITY)
@api_auth("agency")
def make_offer(body, shift_id):
    """Offer a locum for a shift released to the agency's tier."""
    _actor_agency()
    offer = offers.make_offer(shift_id, actor=g.actor, **body)
    return offer


@cascade_blp.get("/agency-offers")
@cascade_blp.arguments(OfferQuerySchema, location="query")
@cascade_blp.response(200, list_schema(OfferSchema, "AgencyOfferList"))
@cascade_blp.doc(security=SECURITY)
@api_auth("agency", "coordinator", "executive", "chief_executive", "admin")
def list_offers(query):
    """An agency sees its own offers; a coordinator those for its sites; leadership all."""
    stmt = queries.offers_for(g.actor, shift_id=query.pop("shift_id"), status=query.pop("status"))
    return keyset_page(db.session, stmt, AgencyOffer.id, **query)


def _offer_in_view(offer_id):
    """The offer, or 404 when the actor may not see it."""
    stmt = queries.offers_for(g.actor).where(AgencyOffer.id == offer_id)
    offer = db.session.execute(stmt).unique().scalar_one_or_none()
    if offer is None:
        raise NotFound("No such offer.")
    return offer


@cascade_blp.post("/agency-offers/<int:offer_id>/accept")
@cascade_blp.response(200, OfferSchema)
@cascade_blp.alt_response(409, description="The shift is filled or the offer is no longer open")
@cascade_blp.doc(security=SECURITY)
@api_auth("coordinator")
def accept_offer(offer_id):
    """Book the locum; above the cap or off framework the offer awaits an executive instead, and above
    £100/h (`CHIEF_EXECUTIVE_ABOVE_RATE`) the chief executive, whatever the grade's cap
    (`pending_executive_approval`, `required_role`)."""
    offer = offers.accept_offer(_offer_in_view(offer_id), actor=g.actor)
    return offer


@cascade_blp.post("/agency-offers/<int:offer_id>/approve")
@cascade_blp.arguments(OfferReasonSchema)
@cascade_blp.response(200, OfferSchema)
@cascade_blp.alt_response(403, description="Not an executive, or above £100/h and not the chief executive")
@cascade_blp.alt_response(422, description="No patient-safety reason given")
@cascade_blp.doc(security=SECURITY)
@api_auth("executive", "chief_executive")
def approve_offer(body, offer_id):
    """Break glass on patient-safety grounds: books the locum and records the breaches."""
    offer = offers.approve_offer(_offer_in_view(offer_id), actor=g.actor, reason=body.get("reason"))
    return offer


@cascade_blp.post("/agency-offers/<int:offer_id>/decline")
@cascade_blp.arguments(OfferReasonSchema)
@cascade_blp.response(200, OfferSchema)
@cascade_blp.doc(security=SECURITY)
@api_auth("coordinator", "executive", "chief_executive")
def decline_offer(body, offer_id):
    """Turn an offer down (coordinator: offered; executive: awaiting approval). The agency is told."""
    offer = offers.decline_offer(_offer_in_view(offer_id), actor=g.actor, reason=body.get("reason"))
    return offer


# --- weekly return --------------------------------------------------------------------


@cascade_blp.get("/reports/agency-return")
@cascade_blp.arguments(WeekQuerySchema, location="query")
@cascade_blp.response(200, description="CSV: " + (agency_return.__doc__ or "").split("\n\n", 1)[-1],
                      content_type="text/csv")
@cascade_blp.doc(security=SECURITY)
@api_auth("executive", "chief_executive", "admin")
def weekly_agency_return(query):
    """The week's agency shifts above the cap, off framework or above the chief executive's rate, with totals,
    as CSV."""
    week = query["week"]
    try:
        body = agency_return.return_csv(week)
    except ValueError as exc:
        raise ValidationFailed(str(exc), errors={"week": [str(exc)]}) from None
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="agency-return-{week}.csv"'})
