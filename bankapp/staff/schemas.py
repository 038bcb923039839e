import marshmallow as ma
from marshmallow import validate

from ..auth.models import ROLES
from ..timeutil import format_london
from .documents import DOCUMENT_KINDS

E164_RE = r"^\+[1-9]\d{7,14}$"
ESR_RE = r"^\d{8}-\d$"


# What a new person gets for each field left out; an edit changes only the fields sent.
CREATE_DEFAULTS = {"site_ids": list, "grade": None, "mobile": None, "esr_assignment_number": None,
                   "gmc_number": None, "agency_id": None, "sms_opt_in": False}


def _person_fields(*, creating: bool) -> dict:
    def default(name):
        return {"load_default": CREATE_DEFAULTS[name]} if creating else {}

    return {
        "email": ma.fields.Email(required=creating, error_messages={
            "invalid": "Enter an email address in the right form, like name@nhs.net."}),
        "name": ma.fields.String(required=creating, validate=validate.Length(
            min=2, max=120, error="Enter the person's full name (2 to 120 characters).")),
        "roles": ma.fields.List(ma.fields.String(validate=validate.OneOf(ROLES, error="Unknown role: {input}.")),
                                required=creating, validate=validate.Length(min=1, error="Give at least one role.")),
        "site_ids": ma.fields.List(ma.fields.Integer(), **default("site_ids")),
        "grade": ma.fields.String(allow_none=True, metadata={"description": "Grade code, e.g. ST3"},
                                  **default("grade")),
        "mobile": ma.fields.String(allow_none=True, validate=validate.Regexp(
            E164_RE, error="Give the mobile number in E.164 form, e.g. +447700900123."), **default("mobile")),
        "esr_assignment_number": ma.fields.String(allow_none=True, validate=validate.Regexp(
            ESR_RE, error="ESR assignment numbers look like 10949595-4."), **default("esr_assignment_number")),
        "gmc_number": ma.fields.String(allow_none=True, validate=validate.Regexp(
            r"^\d{7}$", error="GMC numbers have 7 digits."), **default("gmc_number")),
        "agency_id": ma.fields.Integer(allow_none=True, **default("agency_id")),
        "sms_opt_in": ma.fields.Boolean(**default("sms_opt_in")),
    }


UserCreateSchema = ma.Schema.from_dict({**_person_fields(creating=True),
                                        "password": ma.fields.String(required=True, load_only=True)},
                                       name="UserCreate")
# PATCH: only the fields sent are changed.
UserUpdateSchema = ma.Schema.from_dict({
    **_person_fields(creating=False),
    "wtr_opt_out": ma.fields.Boolean(metadata={
        "description": "A doctor's opt-out of the 48-hour average (working-time regulations): true allows "
                       "56 hours a week over 26 weeks (1,456 h in any 182 days) instead of 48 (1,248 h). "
                       "Recorded with the date and the administrator; false withdraws it."}),
}, name="UserUpdate")


class UserSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    roles = ma.fields.List(ma.fields.String(), attribute="role_names")
    site_ids = ma.fields.List(ma.fields.Integer())
    grade = ma.fields.Function(lambda u: u.doctor_profile.grade.code
                               if u.doctor_profile and u.doctor_profile.grade else None)
    mobile = ma.fields.String(allow_none=True)
    esr_assignment_number = ma.fields.Function(
        lambda u: u.doctor_profile.esr_assignment_number if u.doctor_profile else None)
    gmc_number = ma.fields.Function(lambda u: u.doctor_profile.gmc_number if u.doctor_profile else None)
    agency_id = ma.fields.Integer(allow_none=True)
    sms_opt_in = ma.fields.Boolean()
    active = ma.fields.Boolean()
    wtr_opt_out = ma.fields.Function(lambda u: bool(u.doctor_profile and u.doctor_profile.wtr_opt_out_at),
                                     metadata={"description": "Opted out of the 48-hour average (doctors)."})
    wtr_opt_out_recorded_at = ma.fields.Function(
        lambda u: format_london(u.doctor_profile.wtr_opt_out_at) if u.doctor_profile else None, allow_none=True)
    wtr_opt_out_recorded_by_id = ma.fields.Function(
        lambda u: u.doctor_profile.wtr_opt_out_by_id if u.doctor_profile else None, allow_none=True)


class DocumentCreateSchema(ma.Schema):
    kind = ma.fields.String(required=True, validate=validate.OneOf(DOCUMENT_KINDS, error="Unknown kind: {input}."))
    expires_on = ma.fields.Date(required=True)
    reference = ma.fields.String(load_default=None, validate=validate.Length(max=64))


class DocumentSchema(ma.Schema):
    id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    kind = ma.fields.String()
    expires_on = ma.fields.Date()
    reference = ma.fields.String(allow_none=True)
