"""Rate cards (admin writes, staff read) and the post form's price preview (rate violations: shifts)."""
from flask import g
from flask_smorest import Blueprint

from ..apiutil import ListQuerySchema, keyset_page, list_schema
from ..auth.permissions import api_auth
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..org.services import grade_by_code
from . import cards, services
from .models import RateCard
from .schemas import (
    PreviewQuerySchema,
    PreviewSchema,
    RateCardCreateSchema,
    RateCardSchema,
    RateCardSummarySchema,
)

blp = Blueprint("rates_api", __name__, url_prefix="/api/v1", description="Rate cards and prices")
SECURITY = [{"bearerAuth": []}]
PRICING_ROLES = ("coordinator", "approver", "executive", "chief_executive", "admin")


@blp.post("/rate-cards")
@blp.arguments(RateCardCreateSchema)
@blp.response(201, RateCardSchema)
@blp.doc(security=SECURITY)
@api_auth("admin")
def create_rate_card(body):
    """A new card version. Every grade × band cell and every grade's cap is required; a past
    `effective_from` needs `backdated_reason` (audited). Problems name the cells.

    The card prices every shift starting (London date) from `effective_from` until the next card, booked
    ones included: each booked, not yet worked, card-rate bank shift whose estimate it changes is audited
    (`booking.repriced`) and its doctor texted once with the old and new totals. Flat rates and approved
    timesheets keep their figures."""
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
