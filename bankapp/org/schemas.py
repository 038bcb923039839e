from decimal import Decimal

import marshmallow as ma
from marshmallow import validate

from ..fields import Money

PHONE = validate.Regexp(r"^\+?[0-9][0-9 ()-]{5,30}$", error="Enter a phone number like 01245 362000.")


class SiteSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String(required=True, validate=[validate.Length(min=2, max=16),
                                                     validate.Regexp(r"^[A-Z0-9_-]+$",
                                                                     error="Use capital letters, digits, - or _.")])
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    staffing_phone = ma.fields.String(load_default=None, allow_none=True, validate=PHONE, metadata={
        "description": "Medical staffing's phone number at this site: a doctor who books a shift inside the "
                       "cancel cut-off is told to call it if they cannot work it."})


class SiteChangeSchema(ma.Schema):
    """PATCH a site: only the fields sent change; a null phone removes it. The code never changes (payroll files)."""

    name = ma.fields.String(validate=validate.Length(min=2, max=120))
    staffing_phone = ma.fields.String(allow_none=True, validate=PHONE)


class DepartmentSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    site_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    specialty = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    cost_centre = ma.fields.String(required=True, validate=validate.Length(min=2, max=32))


class GradeSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String(required=True, validate=validate.Length(min=2, max=16))
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    rank = ma.fields.Integer(required=True, validate=validate.Range(min=0, max=1000))


HOURS = validate.Range(min=0, max=24 * 366, error="Enter whole hours from 0 to 8784, or leave it empty for the trust "
                                                  "default.")


def _percent_in_range(value):
    if value is not None and not Decimal(0) <= value <= Decimal(1000):
        raise ma.ValidationError("Enter a percentage from 0 to 1000, or leave it empty for the trust default.")


class SitePolicyValuesSchema(ma.Schema):
    """A site's own values; null means the trust default (the setting)."""

    approver_max_percent = Money(allow_none=True, validate=_percent_in_range,
                                 metadata={"description": "Up to this % over the card an approver decides an "
                                                          "off-card rate; above it an executive. E.g. \"20.00\"."})
    bank_only_window_hours = ma.fields.Integer(allow_none=True, strict=True, validate=HOURS, metadata={
        "description": "Hours after a shift first opened to bank doctors before agency cover may be asked for."})
    cascade_urgent_within_hours = ma.fields.Integer(allow_none=True, strict=True, validate=HOURS, metadata={
        "description": "A shift starting within this many hours may go to agencies at once."})
    tier1_window_hours = ma.fields.Integer(allow_none=True, strict=True, validate=HOURS, metadata={
        "description": "Hours a released shift stays with tier 1 agencies before tier 2."})
    doctor_cancel_cutoff_hours = ma.fields.Integer(allow_none=True, strict=True, validate=HOURS, metadata={
        "description": "A doctor may cancel their own booking online until this many hours before the start."})


class SitePolicyChangeSchema(SitePolicyValuesSchema):
    """PATCH: only the fields sent change; null puts a field back to the trust default."""


class SitePolicySchema(SitePolicyValuesSchema):
    site_id = ma.fields.Integer(dump_only=True)
    defaults = ma.fields.Nested(SitePolicyValuesSchema, dump_only=True,
                                metadata={"description": "The trust defaults (settings) a null falls back to."})
    effective = ma.fields.Nested(SitePolicyValuesSchema, dump_only=True,
                                 metadata={"description": "What the rules use at this site now."})
