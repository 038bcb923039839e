"""What the joining form and API take and give. The page loads its form through these same schemas."""
import marshmallow as ma
from marshmallow import validate

from ..apiutil import ListQuerySchema
from ..fields import LondonDateTime
from ..notifications.rules import normalise_mobile
from ..notifications.services import public_url
from ..staff.documents import DOCUMENT_KINDS
from ..staff.schemas import ESR_RE
from .applications import status_path
from .rules import APPLICATION_STATUSES, CHECKLIST, SITE_REQUEST_STATUSES

MISSING = {"name": "Enter your full name.", "email": "Enter your email address.",
           "mobile": "Enter your mobile number.", "gmc_number": "Enter your GMC number.",
           "grade": "Choose your grade.", "site_ids": "Choose at least one hospital where you want to work.",
           "code": "Enter the 6-digit code from the text we sent."}


class MobileNumber(ma.fields.String):
    """A UK mobile as typed (07…, +44…), loaded in E.164 form."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            number = normalise_mobile(text)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from None
        if number is None:
            raise ma.ValidationError(MISSING["mobile"])
        return number


class ApplicationCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(
        min=2, max=120, error="Enter your full name (2 to 120 characters)."))
    email = ma.fields.Email(required=True, validate=validate.Length(max=254), error_messages={
        "invalid": "Enter an email address in the right form, like name@nhs.net."})
    mobile = MobileNumber(required=True, metadata={"description": "UK mobile, e.g. 07700 900123; the code goes there"})
    gmc_number = ma.fields.String(required=True, validate=validate.Regexp(
        r"^\d{7}$", error="Enter your GMC number: 7 digits, like 7012345."))
    grade = ma.fields.String(required=True, metadata={"description": "Grade code, e.g. ST3"})
    site_ids = ma.fields.List(ma.fields.Integer(), required=True, validate=validate.Length(
        min=1, error="Choose at least one hospital where you want to work."))
    specialties = ma.fields.List(ma.fields.String(validate=validate.Length(min=2, max=60, error=(
        "Name each specialty in 2 to 60 characters."))), load_default=list, validate=validate.Length(
        max=10, error="Name at most 10 specialties."))
    sms_opt_in = ma.fields.Boolean(load_default=False, metadata={
        "description": "Shift alerts by text once approved (texts about the application are sent anyway)"})


class ApplicationCreatedSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()


class ApplicationReceiptSchema(ApplicationCreatedSchema):
    """The answer to applying: the only time the application's secret is given (it is in the texts' link too)."""

    token = ma.fields.String(metadata={
        "description": "The application's secret: keep it. Documents are added with it "
                       "(`POST /applications/{id}/documents`), and its status page is `status_url`"})
    status_url = ma.fields.Method("_status_url", metadata={
        "description": "The applicant's status page (the link in the texts)"})

    def _status_url(self, application):
        return public_url(status_path(application))


class ConfirmCodeSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=validate.Regexp(
        r"^\d{6}$", error="Enter the 6-digit code from the text we sent."))


class ChecklistSchema(ma.Schema):
    """PATCH: only the items sent change."""

    documents_verified = ma.fields.Boolean()
    references_recorded = ma.fields.Boolean()
    right_to_work_and_id_seen = ma.fields.Boolean()
    grade_confirmed = ma.fields.Boolean()
    esr_assignment_number = ma.fields.String(allow_none=True, validate=validate.Regexp(
        ESR_RE, error="ESR assignment numbers look like 10949595-4."))


class NoteCreateSchema(ma.Schema):
    text = ma.fields.String(required=True, validate=validate.Length(min=1, max=2000, error=(
        "Write the note (at most 2,000 characters).")))


class ApproveApplicationSchema(ma.Schema):
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    site_ids = ma.fields.List(ma.fields.Integer(), load_default=None, metadata={
        "description": "The sites approved (some of those asked for); default: all of them"})


class NoteSchema(ma.Schema):
    text = ma.fields.String()
    author = ma.fields.Function(lambda n: n.author.name if n.author else None)
    at = LondonDateTime(attribute="created_at")


class ApplicationDocumentSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    expires_on = ma.fields.Date()
    content_type = ma.fields.String()
    file_size = ma.fields.Integer()


class ApplicationSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String(metadata={"enum": list(APPLICATION_STATUSES)})
    name = ma.fields.String()
    email = ma.fields.String()
    mobile = ma.fields.String()
    gmc_number = ma.fields.String()
    grade = ma.fields.Function(lambda a: a.grade.code)
    site_ids = ma.fields.List(ma.fields.Integer())
    specialties = ma.fields.List(ma.fields.String())
    applied_at = LondonDateTime(attribute="created_at")
    submitted_at = LondonDateTime(allow_none=True)
    checklist = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean(), metadata={
        "description": "Staffing's checks: " + ", ".join(f"`{k}` ({v.lower()})" for k, v in CHECKLIST.items())})
    esr_assignment_number = ma.fields.String(allow_none=True)
    documents = ma.fields.List(ma.fields.Nested(ApplicationDocumentSchema))
    notes = ma.fields.List(ma.fields.Nested(NoteSchema))
    decided_at = LondonDateTime(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)
    user_id = ma.fields.Integer(allow_none=True, metadata={"description": "The doctor account made on approval"})


class ApplicationListQuerySchema(ListQuerySchema):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(APPLICATION_STATUSES))


class SiteRequestCreateSchema(ma.Schema):
    site_id = ma.fields.Integer(required=True, error_messages={"required": "Choose the hospital."})


class SiteRequestDecisionSchema(ma.Schema):
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000), metadata={
        "description": "Required to reject"})
    induction_on = ma.fields.Date(load_default=None, allow_none=True, metadata={
        "description": "The day the doctor completed the site's induction: required to approve"})


class SiteRequestSchema(ma.Schema):
    id = ma.fields.Integer()
    doctor_id = ma.fields.Integer()
    doctor_name = ma.fields.Function(lambda r: r.doctor.name)
    site_id = ma.fields.Integer()
    site_name = ma.fields.Function(lambda r: r.site.name)
    status = ma.fields.String(metadata={"enum": list(SITE_REQUEST_STATUSES)})
    requested_at = LondonDateTime(attribute="created_at")
    induction_on = ma.fields.Date(allow_none=True)
    decided_at = LondonDateTime(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)


class SiteRequestListQuerySchema(ListQuerySchema):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(SITE_REQUEST_STATUSES))


APPLICATION_UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["token", "kind", "expires_on", "file"],
    "properties": {"token": {"type": "string", "description": "The application's secret, from the answer to applying"},
                   "kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
                   "expires_on": {"type": "string", "format": "date", "description": "The last day it is valid"},
                   "file": {"type": "string", "format": "binary",
                            "description": "PDF, JPEG or PNG, at most 10 MB; the type is read from the content"}}}}}}
