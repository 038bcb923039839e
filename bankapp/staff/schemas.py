import marshmallow as ma
from marshmallow import validate

from ..auth.models import ROLES
from ..fields import LondonDateTime
from ..timeutil import format_london
from .documents import DOCUMENT_KINDS, DOCUMENT_STATUSES, KIND_STATUSES

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


# --- a doctor's own documents (uploads) and their verification ---------------------------------------

UPLOAD_MISSING = {"kind": "Choose the kind of document.", "expires_on": "Enter the expiry date.",
                  "file": "Choose a file to upload: a PDF, JPEG or PNG."}


class DocumentUploadSchema(ma.Schema):
    """The form fields of an upload (``multipart/form-data``); the file itself is checked from its bytes."""

    kind = ma.fields.String(required=True, validate=validate.OneOf(
        DOCUMENT_KINDS, error="Choose one of the kinds of document listed."))
    expires_on = ma.fields.Date(required=True, error_messages={
        "invalid": "Enter the expiry date as a real date, for example 2027-03-31."})


UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["kind", "expires_on", "file"],
    "properties": {"kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
                   "expires_on": {"type": "string", "format": "date", "description": "The last day it is valid"},
                   "file": {"type": "string", "format": "binary",
                            "description": "PDF, JPEG or PNG, at most 10 MB; the type is read from the content, "
                                           "not the name or the declared type"}}}}}}


class MyDocumentSchema(ma.Schema):
    kind = ma.fields.String()
    status = ma.fields.String(metadata={"enum": list(KIND_STATUSES)})
    expires_on = ma.fields.Date(allow_none=True, metadata={
        "description": "Of the newest upload while it waits or was rejected, else of the document that counts"})
    verified_at = LondonDateTime(allow_none=True)
    valid_until = ma.fields.Date(allow_none=True, metadata={
        "description": "Expiry of the verified document that counts for claims (null: none)"})
    note = ma.fields.String(allow_none=True, metadata={"description": "Why the newest upload was not accepted"})
    document_id = ma.fields.Function(lambda row: row["document"].id if row["document"] is not None else None)


class MyDocumentListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MyDocumentSchema))
    next = ma.fields.Integer(allow_none=True)


class UploadedDocumentSchema(ma.Schema):
    id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    doctor_name = ma.fields.Function(lambda d: d.user.name)
    kind = ma.fields.String()
    status = ma.fields.String(metadata={"enum": list(DOCUMENT_STATUSES)})
    expires_on = ma.fields.Date()
    content_type = ma.fields.String(allow_none=True)
    file_size = ma.fields.Integer(allow_none=True)
    uploaded_at = LondonDateTime(attribute="created_at")
    verified_at = LondonDateTime(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)
    file_url = ma.fields.Function(lambda d: f"/api/v1/documents/{d.id}/file" if d.file_key else None)


class DocumentQueueQuerySchema(ma.Schema):
    status = ma.fields.String(load_default="awaiting_verification", validate=validate.OneOf(DOCUMENT_STATUSES))
