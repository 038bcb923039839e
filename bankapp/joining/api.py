"""Joining the bank and working across sites: /api/v1/applications…, /api/v1/me/site-requests, /api/v1/site-requests…"""
from flask import g, request
from flask_smorest import Blueprint

from ..apiutil import list_schema
from ..auth.permissions import api_auth, public_api
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..rates.schemas import DecisionSchema
from ..staff.verification import read_upload
from ..transactions import keep_on_error
from . import applications, report_api, site_requests
from .models import Application
from .schemas import (
    APPLICATION_UPLOAD_BODY,
    ApplicationCreatedSchema,
    ApplicationCreateSchema,
    ApplicationDocumentSchema,
    ApplicationListQuerySchema,
    ApplicationReceiptSchema,
    ApplicationSchema,
    ApproveApplicationSchema,
    ChecklistSchema,
    ConfirmCodeSchema,
    NoteCreateSchema,
    SiteRequestCreateSchema,
    SiteRequestDecisionSchema,
    SiteRequestListQuerySchema,
    SiteRequestSchema,
)
from .throttle import limited_per_address, limited_per_address_and_mobile

blp = Blueprint("joining_api", __name__, url_prefix="/api/v1", description=(
    "Joining the bank (public: no token) and staffing's queue of applications; doctors asking to work at "
    "another site and staffing or that site's coordinators deciding."))
BLUEPRINTS = [blp, report_api.blp]
SECURITY = [{"bearerAuth": []}]
PUBLIC = {"security": []}


def _page(queue, query) -> dict:
    """One page of a queue (in id order, which is the order they came in) as ``{items, next}``."""
    rows = queue(g.actor, status=query["status"], cursor=query["cursor"], limit=query["limit"] + 1)
    more = len(rows) > query["limit"]
    rows = rows[:query["limit"]]
    return {"items": rows, "next": rows[-1].id if more else None}


def _public_application(application_id) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound("No such application.")
    return application


@blp.post("/applications")
@blp.arguments(ApplicationCreateSchema)
@blp.response(201, ApplicationReceiptSchema)
@blp.alt_response(409, description="One live application or account per email and per GMC number (the message "
                                   "never says which of the two holds them)")
@blp.alt_response(429, description="Too many applications from this address or for this mobile")
@blp.doc(**PUBLIC)
@limited_per_address_and_mobile
@public_api
def apply(body):
    """Apply to join the bank (no login). A 6-digit code is texted to the mobile; the application counts once
    it is confirmed (`POST /applications/{id}/confirm`). The answer carries the application's secret `token`
    (given only here and in the texts' link): compliance documents are added with it
    (`POST /applications/{id}/documents`)."""
    return applications.apply(**body)


@blp.post("/applications/<int:application_id>/documents")
@blp.response(201, ApplicationDocumentSchema)
@blp.alt_response(404, description="No application with this id and token (the same answer for either)")
@blp.alt_response(409, description="The application is decided or lapsed")
@blp.alt_response(413, description="Larger than 10 MB")
@blp.doc(requestBody=APPLICATION_UPLOAD_BODY, **PUBLIC)
@limited_per_address
@public_api
def add_document(application_id):
    """Add a compliance document to an application until staffing decides it (`multipart/form-data`: `token`,
    `kind`, `expires_on`, `file`), checked as a doctor's own upload is: a PDF, JPEG or PNG of at most 10 MB
    judged by its content, else 422 naming the field and nothing stored. It replaces an earlier upload of the
    same kind; if staffing had ticked "documents verified", the tick comes off until they look again."""
    application = applications.by_token(request.form.get("token"), application_id=application_id)
    values, errors = read_upload(request.form, request.files)
    if errors:
        raise ValidationFailed("The upload was not accepted.", errors=errors)
    return applications.add_document(application, **values)


@blp.post("/applications/<int:application_id>/confirm")
@blp.arguments(ConfirmCodeSchema)
@blp.response(200, ApplicationCreatedSchema)
@blp.alt_response(409, description="Already confirmed")
@blp.doc(**PUBLIC)
@limited_per_address
@public_api
def confirm(body, application_id):
    """Confirm the mobile with the texted code → `submitted`. A code works for 30 minutes and three tries (the
    tries are counted even on a refusal); then ask for a new one."""
    application = _public_application(application_id)
    keep_on_error()
    return applications.confirm_mobile(application, body["code"])


@blp.post("/applications/<int:application_id>/code")
@blp.response(202, ApplicationCreatedSchema)
@blp.alt_response(409, description="Already confirmed")
@blp.doc(**PUBLIC)
@limited_per_address_and_mobile
@public_api
def new_code(application_id):
    """Text a new code to the application's mobile (the old one stops working)."""
    application = _public_application(application_id)
    applications.send_code(application)
    return application


@blp.get("/applications")
@blp.arguments(ApplicationListQuerySchema, location="query")
@blp.response(200, list_schema(ApplicationSchema, "ApplicationList"))
@blp.doc(security=SECURITY)
@api_auth(*applications.DECIDERS)
def list_applications(query):
    """Applications asking for one of the caller's sites (admins: all), oldest first, by `status`."""
    return _page(applications.queue, query)


@blp.get("/applications/<int:application_id>")
@blp.response(200, ApplicationSchema)
@blp.doc(security=SECURITY)
@api_auth(*applications.DECIDERS)
def get_application(application_id):
    return applications.application_for(g.actor, application_id)


@blp.patch("/applications/<int:application_id>")
@blp.arguments(ChecklistSchema)
@blp.response(200, ApplicationSchema)
@blp.doc(security=SECURITY)
@api_auth(*applications.DECIDERS)
def update_checklist(body, application_id):
    """Tick (or untick) staffing's checks and record the ESR assignment number: only the fields sent change."""
    application = applications.application_for(g.actor, application_id)
    return applications.update_checklist(application, actor=g.actor, **body)


@blp.post("/applications/<int:application_id>/notes")
@blp.arguments(NoteCreateSchema)
@blp.response(201, ApplicationSchema)
@blp.doc(security=SECURITY)
@api_auth(*applications.DECIDERS)
def add_note(body, application_id):
    application = applications.application_for(g.actor, application_id)
    applications.add_note(application, text=body["text"], actor=g.actor)
    return application


@blp.post("/applications/<int:application_id>/approve")
@blp.arguments(ApproveApplicationSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(409, description="Not submitted, or already decided")
@blp.doc(security=SECURITY)
@api_auth(*applications.DECIDERS)
def approve(body, application_id):
    """Every check done (else 422 with a reason per check left): the doctor account is made with the sites
    approved and texted a one-time link to set a password (72 hours). Not one's own application (403)."""
    application = applications.application_for(g.actor, application_id)
    return applications.approve(application, actor=g.actor, **body)


@blp.post("/applications/<int:application_id>/reject")
@blp.arguments(DecisionSchema)
@blp.response(200, ApplicationSchema)
@blp.alt_response(409, description="Not submitted, or already decided")
@blp.doc(security=SECURITY)
@api_auth(*applications.DECIDERS)
def reject(body, application_id):
    """Turn the application down; `note` (required) is texted to the applicant."""
    application = applications.application_for(g.actor, application_id)
    return applications.reject(application, actor=g.actor, note=body.get("note"))


# --- working across sites ---------------------------------------------------------------------------


@blp.post("/me/site-requests")
@blp.arguments(SiteRequestCreateSchema)
@blp.response(201, SiteRequestSchema)
@blp.alt_response(409, description="Already asked")
@blp.doc(security=SECURITY)
@api_auth("doctor")
def request_site(body):
    """Ask to work at another site (422 `already_enabled` when the doctor already may)."""
    return site_requests.request_site(g.actor, site_id=body["site_id"], actor=g.actor)


@blp.get("/me/site-requests")
@blp.response(200, list_schema(SiteRequestSchema, "MySiteRequestList"))
@blp.doc(security=SECURITY)
@api_auth("doctor")
def my_site_requests():
    return {"items": site_requests.requests_of(g.actor.id), "next": None}


@blp.get("/site-requests")
@blp.arguments(SiteRequestListQuerySchema, location="query")
@blp.response(200, list_schema(SiteRequestSchema, "SiteRequestList"))
@blp.doc(security=SECURITY)
@api_auth(*site_requests.DECIDERS)
def list_site_requests(query):
    """Requests to work at one of the caller's sites, oldest first."""
    return _page(site_requests.queue, query)


@blp.post("/site-requests/<int:site_request_id>/approve")
@blp.arguments(SiteRequestDecisionSchema)
@blp.response(200, SiteRequestSchema)
@blp.alt_response(409, description="Already decided")
@blp.doc(security=SECURITY)
@api_auth(*site_requests.DECIDERS)
def approve_site_request(body, site_request_id):
    """Approve, with `induction_on` (the day the site's induction was done): the doctor may then work there, sees
    its shifts and can claim them. Staffing or a coordinator of that site; nobody decides a request about
    themselves (403 `own_request`)."""
    req = site_requests.request_for(g.actor, site_request_id)
    return site_requests.decide(req, approve=True, actor=g.actor, **body)


@blp.post("/site-requests/<int:site_request_id>/reject")
@blp.arguments(SiteRequestDecisionSchema)
@blp.response(200, SiteRequestSchema)
@blp.alt_response(409, description="Already decided")
@blp.doc(security=SECURITY)
@api_auth(*site_requests.DECIDERS)
def reject_site_request(body, site_request_id):
    """Reject, with a `note` (required), texted to the doctor."""
    req = site_requests.request_for(g.actor, site_request_id)
    return site_requests.decide(req, approve=False, actor=g.actor, **body)
