import marshmallow as ma
from marshmallow import validate

from ..auth.models import ROLES
from .models import DOCUMENT_KINDS

E164_RE = r"^\+[1-9]\d{7,14}$"
ESR_RE = r"^\d{8}-\d$"


class UserCreateSchema(ma.Schema):
    email = ma.fields.Email(required=True)
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    password = ma.fields.String(required=True, load_only=True)
    roles = ma.fields.List(ma.fields.String(validate=validate.OneOf(ROLES, error="Unknown role: {input}.")),
                           required=True, validate=validate.Length(min=1, error="Give at least one role."))
    site_ids = ma.fields.List(ma.fields.Integer(), load_default=list)
    grade = ma.fields.String(load_default=None, metadata={"description": "Grade code, e.g. ST3"})
    mobile = ma.fields.String(load_default=None, validate=validate.Regexp(
        E164_RE, error="Give the mobile number in E.164 form, e.g. +447700900123."))
    esr_assignment_number = ma.fields.String(load_default=None, validate=validate.Regexp(
        ESR_RE, error="ESR assignment numbers look like 10949595-4."))
    gmc_number = ma.fields.String(load_default=None, validate=validate.Regexp(
        r"^\d{7}$", error="GMC numbers have 7 digits."))
    agency_id = ma.fields.Integer(load_default=None)
    sms_opt_in = ma.fields.Boolean(load_default=False)


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
