"""Rate cards, previews and rate violations as JSON: money as "55.00", times London with offset."""
import marshmallow as ma
from marshmallow import validate

from ..apiutil import ListQuerySchema
from ..extensions import db
from ..fields import FLAT_RATE_NOT_POSITIVE, LondonDateTime, Money
from ..org.models import Grade
from ..timeutil import BANDS
from .models import VIOLATION_STATUSES


def _grade_code(grade_id):
    grade = db.session.get(Grade, grade_id)
    return grade.code if grade else None


# --- rate cards ----------------------------------------------------------------


class RateCellInSchema(ma.Schema):
    grade = ma.fields.String(required=True, metadata={"description": "Grade code, e.g. ST3."})
    band = ma.fields.String(required=True, metadata={"description": f"One of {', '.join(BANDS)}."})
    hourly_rate = ma.fields.Raw(required=True, metadata={"description": 'Pounds per hour as text, e.g. "65.00".'})


class AgencyCapInSchema(ma.Schema):
    grade = ma.fields.String(required=True)
    hourly_cap = ma.fields.Raw(required=True, metadata={"description": 'Pounds per hour as text, e.g. "80.00".'})


class RateCardCreateSchema(ma.Schema):
    effective_from = ma.fields.Date(required=True)
    rates = ma.fields.List(ma.fields.Nested(RateCellInSchema), required=True,
                           metadata={"description": "Every grade × band cell, each once."})
    agency_caps = ma.fields.List(ma.fields.Nested(AgencyCapInSchema), required=True,
                                 metadata={"description": "One cap per grade."})
    backdated_reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                                        metadata={"description": "Required (admin only) when effective_from is "
                                                                 "in the past; audited."})
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class RateCellSchema(ma.Schema):
    grade = ma.fields.Function(lambda r: _grade_code(r.grade_id))
    band = ma.fields.String()
    hourly_rate = Money()


class AgencyCapSchema(ma.Schema):
    grade = ma.fields.Function(lambda c: _grade_code(c.grade_id))
    hourly_cap = Money()


def _ordered_rates(card):
    ranks = {g.id: g.rank for g in db.session.execute(db.select(Grade)).scalars()}
    return sorted(card.rates, key=lambda r: (ranks.get(r.grade_id, 0), BANDS.index(r.band)))


class RateCardSchema(ma.Schema):
    id = ma.fields.Integer()
    effective_from = ma.fields.Date()
    backdated_reason = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    created_at = LondonDateTime()
    created_by_id = ma.fields.Integer(allow_none=True)
    rates = ma.fields.Function(lambda card: RateCellSchema(many=True).dump(_ordered_rates(card)))
    agency_caps = ma.fields.Function(lambda card: AgencyCapSchema(many=True).dump(card.agency_caps))


class RateCardSummarySchema(ma.Schema):
    id = ma.fields.Integer()
    effective_from = ma.fields.Date()
    backdated_reason = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    created_at = LondonDateTime()


# --- preview ---------------------------------------------------------------------


class PreviewQuerySchema(ma.Schema):
    grade = ma.fields.String(required=True, metadata={"description": "Grade code."})
    start = LondonDateTime(required=True)
    end = LondonDateTime(required=True)
    hourly_rate = Money(load_default=None, positive=True, not_positive=FLAT_RATE_NOT_POSITIVE,
                        metadata={"description": "Flat rate to compare with the card."})


class PayLineSchema(ma.Schema):
    band = ma.fields.String()
    hours = ma.fields.String()
    rate = ma.fields.String()
    amount = ma.fields.String()


class PayBreakdownSchema(ma.Schema):
    lines = ma.fields.List(ma.fields.Nested(PayLineSchema))
    hours = ma.fields.String()
    total = ma.fields.String()


class PreviewSchema(ma.Schema):
    rate_card_id = ma.fields.Integer()
    effective_from = ma.fields.Date()
    card = ma.fields.Function(lambda p: p["card"].as_dict(), metadata={"description": "Card price, band lines."})
    flat = ma.fields.Function(lambda p: p["flat"].as_dict() if p["flat"] else None,
                              metadata={"description": "Flat-rate price, or null without hourly_rate."})
    is_violation = ma.fields.Boolean()
    percent_over = Money(allow_none=True)
    required_role = ma.fields.String(allow_none=True)


# --- rate violations ---------------------------------------------------------------


class RateViolationSchema(ma.Schema):
    id = ma.fields.Integer()
    shift_id = ma.fields.Integer()
    site_id = ma.fields.Function(lambda v: v.shift.site_id)
    status = ma.fields.String()
    required_role = ma.fields.String()
    percent_over = Money()
    flat_rate = Money()
    flat_total = Money()
    card_total = Money()
    reason = ma.fields.String(allow_none=True)
    requested_by_id = ma.fields.Integer()
    decided_by_id = ma.fields.Integer(allow_none=True)
    decided_at = LondonDateTime(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)
    created_at = LondonDateTime()


class ViolationListQuerySchema(ListQuerySchema):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(VIOLATION_STATUSES))
    site_id = ma.fields.Integer(load_default=None)


class DecisionSchema(ma.Schema):
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                            metadata={"description": "Required to reject."})


class ReviseSchema(ma.Schema):
    hourly_rate = Money(required=True, allow_none=True, positive=True, not_positive=FLAT_RATE_NOT_POSITIVE,
                        metadata={"description": "New flat rate, or null to pay card rates."})
    reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                              metadata={"description": "Required when the new rate is still above the card."})


class ShiftStateSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    hourly_rate = Money(allow_none=True)


class RevisedSchema(ma.Schema):
    shift = ma.fields.Nested(ShiftStateSchema)
    rate_violation = ma.fields.Nested(RateViolationSchema, allow_none=True)
