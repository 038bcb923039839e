"""Agencies, cascade requests and agency offers as JSON (money "55.00", London times)."""
import marshmallow as ma
from marshmallow import validate

from ..apiutil import ListQuerySchema
from ..fields import CHARGE_NOT_POSITIVE, LondonDateTime, Money
from ..timeutil import format_london
from .models import CASCADE_STATUSES, OFFER_STATUSES
from .offers import required_role
from .services import bank_only_until


class AgencySchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    tier = ma.fields.Integer(required=True, validate=validate.OneOf((1, 2), error="Choose tier 1 or tier 2."))
    on_framework = ma.fields.Boolean(required=True)


# --- cascade requests -------------------------------------------------------------


class CascadeCreateSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=validate.Length(min=1, max=2000),
                              metadata={"description": "Why the bank cannot fill the shift."})


class CascadeDecisionSchema(ma.Schema):
    note = ma.fields.String(load_default=None, validate=validate.Length(max=2000))


class CascadeRequestSchema(ma.Schema):
    id = ma.fields.Integer()
    shift_id = ma.fields.Integer()
    status = ma.fields.String(metadata={"enum": list(CASCADE_STATUSES)})
    reason = ma.fields.String()
    requested_by_id = ma.fields.Integer()
    requested_at = LondonDateTime(attribute="created_at")
    decided_by_id = ma.fields.Integer(allow_none=True)
    decided_at = LondonDateTime(allow_none=True)
    note = ma.fields.String(allow_none=True)
    site_id = ma.fields.Function(lambda r: r.shift.site_id)
    shift_status = ma.fields.Function(lambda r: r.shift.status)
    shift_start = ma.fields.Function(lambda r: LondonDateTime()._serialize(r.shift.start_at, None, None))
    bank_only_until = ma.fields.Function(
        lambda r: format_london(bank_only_until(r.shift)),
        metadata={"description": "When the shift's bank-only window ends (or ended): its site's window after it "
                                 "first opened to bank doctors. A 422 `cascade_too_early` carries it too."})


class CascadeQuerySchema(ListQuerySchema):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(CASCADE_STATUSES))


# --- agency shifts and offers -----------------------------------------------------


class AgencyShiftSchema(ma.Schema):
    """A released shift as an agency sees it."""

    id = ma.fields.Integer()
    site = ma.fields.Function(lambda s: {"code": s.site.code, "name": s.site.name})
    department = ma.fields.Function(lambda s: s.department.name)
    specialty = ma.fields.Function(lambda s: s.department.specialty)
    grade = ma.fields.Function(lambda s: s.grade.code)
    start = LondonDateTime(attribute="start_at")
    end = LondonDateTime(attribute="end_at")
    status = ma.fields.String()
    tier = ma.fields.Function(lambda s: 2 if s.status == "released_tier2" else 1)


class OfferCreateSchema(ma.Schema):
    locum_name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120),
                                  error_messages={"required": "Give the locum's full name."})
    gmc_number = ma.fields.String(required=True, validate=validate.Regexp(
        r"^\d{7}$", error="GMC numbers have 7 digits."), error_messages={"required": "Give the locum's GMC number."})
    grade = ma.fields.String(required=True, error_messages={"required": "Choose the locum's grade."},
                             metadata={"description": "Grade code of the locum, e.g. ST3"})
    charge_rate = Money(required=True, positive=True, not_positive=CHARGE_NOT_POSITIVE,
                        error_messages={"required": CHARGE_NOT_POSITIVE},
                        metadata={"description": 'Agency charge per hour, e.g. "95.00"'})


class OfferReasonSchema(ma.Schema):
    reason = ma.fields.String(load_default=None, validate=validate.Length(max=2000),
                              metadata={"description": "Required to approve: the patient-safety reason."})


class OfferSchema(ma.Schema):
    id = ma.fields.Integer()
    shift_id = ma.fields.Integer()
    agency_id = ma.fields.Integer()
    agency = ma.fields.Function(lambda o: o.agency.name)
    locum_name = ma.fields.String()
    gmc_number = ma.fields.String()
    grade = ma.fields.Function(lambda o: o.grade.code)
    charge_rate = Money()
    status = ma.fields.String(metadata={"enum": list(OFFER_STATUSES)})
    required_role = ma.fields.Function(
        lambda o: required_role(o), allow_none=True,
        metadata={"enum": ["executive", "chief_executive", None],
                  "description": "Who must approve an offer `pending_executive_approval`: `executive`, or "
                                 "`chief_executive` above £100/h (`CHIEF_EXECUTIVE_ABOVE_RATE`) whatever the "
                                 "grade's cap; null otherwise."})
    cap = Money(allow_none=True)
    over_cap_amount = Money(allow_none=True)
    off_framework = ma.fields.Boolean()
    offered_at = LondonDateTime(attribute="created_at")
    accepted_by_id = ma.fields.Integer(allow_none=True)
    approved_by_id = ma.fields.Integer(allow_none=True)
    approval_reason = ma.fields.String(allow_none=True)
    decided_at = LondonDateTime(allow_none=True)
    booking_id = ma.fields.Integer(allow_none=True)


class OfferQuerySchema(ListQuerySchema):
    shift_id = ma.fields.Integer(load_default=None)
    status = ma.fields.String(load_default=None, validate=validate.OneOf(OFFER_STATUSES))


class NoticeSchema(ma.Schema):
    id = ma.fields.Integer()
    shift_id = ma.fields.Integer()
    offer_id = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String()
    message = ma.fields.String()
    at = LondonDateTime(attribute="created_at")


class WeekQuerySchema(ma.Schema):
    week = ma.fields.String(required=True, validate=validate.Regexp(
        r"^\d{4}-W\d{2}$", error="Give the week as YYYY-Www, e.g. 2026-W10."))
