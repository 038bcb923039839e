"""Staffing's pages: the applications queue (by status and age), one application with its checklist,
notes and decision, and the queue of requests to work at its sites (also for that site's coordinators)."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.duties import may_decide
from ..auth.permissions import page_roles
from ..errors import DomainError, NotFound
from ..forms import domain_errors, load_form
from ..nav import register_nav
from ..org import services as org_services
from ..staff import verification
from ..staff.documents import DOCUMENT_LABELS
from ..staff.files import file_response
from ..staff.uploads import ACCEPTED_TYPES, size_text
from ..timeutil import london_date, now_utc
from ..transactions import attempt
from . import applications, site_requests
from .models import ApplicationDocument
from .rules import APPLICATION_STATUSES, CHECKLIST
from .schemas import ChecklistSchema, SiteRequestDecisionSchema

bp = Blueprint("staffing", __name__, url_prefix="/staffing")

register_nav("Applications", "staffing.applications", *applications.DECIDERS, order=70)
register_nav("Site requests", "staffing.site_requests", *site_requests.DECIDERS, order=72)

STATUS_LABELS = {"awaiting_mobile": "Awaiting mobile confirmation", "submitted": "Waiting for checks",
                 "approved": "Approved", "rejected": "Rejected", "lapsed": "Lapsed (mobile never confirmed)"}


@bp.get("/applications", endpoint="applications")
@page_roles(*applications.DECIDERS)
def applications_list():
    status = request.args.get("status", "submitted")
    status = status if status in APPLICATION_STATUSES else "submitted"
    rows = applications.queue(g.actor, status=status, by_age=True)
    return render_template("joining/queue.html", rows=rows, status=status,
                           counts=applications.counts_by_status(g.actor), status_labels=STATUS_LABELS,
                           today=london_date(now_utc()), sites={s.id: s.name for s in org_services.all_sites()})



def _render(application, *, errors=None, status=200):
    sites = {s.id: s.name for s in org_services.all_sites()}
    own = not may_decide(g.actor, concerns_user_id=g.actor.id if application.email == g.actor.email else None)
    return render_template("joining/application.html", application=application, errors=errors or {},
                           checklist=CHECKLIST, status_labels=STATUS_LABELS, labels=DOCUMENT_LABELS,
                           type_labels=ACCEPTED_TYPES, size_text=size_text, own=own,
                           site_options=[(i, sites[i]) for i in application.site_ids if i in sites]), status


@bp.get("/applications/<int:application_id>")
@page_roles(*applications.DECIDERS)
def application(application_id):
    return _render(applications.application_for(g.actor, application_id))


def _act(application_id, action, success):
    """Run one service on the application; on a refusal show the page again with the messages."""
    application = applications.application_for(g.actor, application_id)
    try:
        with attempt():
            action(application)
    except DomainError as exc:
        return _render(application, errors=domain_errors(exc), status=exc.status)
    flash(success, "success")
    return redirect(url_for("staffing.application", application_id=application_id))


@bp.post("/applications/<int:application_id>/checklist")
@page_roles(*applications.DECIDERS)
def checklist(application_id):
    ticks = {item: item in request.form for item in CHECKLIST}
    esr = request.form.get("esr_assignment_number", "").strip() or None
    values, errors = load_form(ChecklistSchema(), {**{k: "y" if v else "" for k, v in ticks.items()},
                                                   "esr_assignment_number": esr or ""})
    if errors:
        return _render(applications.application_for(g.actor, application_id), errors=errors, status=422)
    values = {**ticks, "esr_assignment_number": values.get("esr_assignment_number", esr)}
    return _act(application_id, lambda a: applications.update_checklist(a, actor=g.actor, **values),
                "The checklist is saved.")


@bp.post("/applications/<int:application_id>/notes")
@page_roles(*applications.DECIDERS)
def add_note(application_id):
    text = request.form.get("text", "").strip()
    if not text:
        return _render(applications.application_for(g.actor, application_id),
                       errors={"text": ["Write the note first."]}, status=422)
    return _act(application_id, lambda a: applications.add_note(a, text=text, actor=g.actor), "Note added.")


@bp.post("/applications/<int:application_id>/<any(approve, reject):decision>")
@page_roles(*applications.DECIDERS)
def decide(application_id, decision):
    note = request.form.get("note", "").strip() or None
    if decision == "approve":
        site_ids = [int(s) for s in request.form.getlist("site_ids") if s.isdigit()]
        return _act(application_id, lambda a: applications.approve(a, actor=g.actor, note=note, site_ids=site_ids),
                    "Approved: the doctor's account is made and they have been texted a link to set a password.")
    return _act(application_id, lambda a: applications.reject(a, actor=g.actor, note=note),
                "Rejected: the applicant has been texted the reason.")


@bp.get("/applications/<int:application_id>/documents/<int:application_document_id>")
@page_roles(*applications.DECIDERS)
def application_document(application_id, application_document_id):
    application = applications.application_for(g.actor, application_id)
    doc = next((d for d in application.documents if d.id == application_document_id), None)
    if not isinstance(doc, ApplicationDocument):
        raise NotFound("No such document.")
    return file_response(doc)


# --- requests to work at a site -------------------------------------------------------------------


def _render_requests(*, errors=None, form=None, status=200):
    rows = site_requests.queue(g.actor, status="pending", by_age=True)
    return render_template("joining/site_requests.html", rows=rows,
                           errors=errors or {},
                           form=form or {}, today=london_date(now_utc())), status


@bp.get("/site-requests", endpoint="site_requests")
@page_roles(*site_requests.DECIDERS)
def site_requests_page():
    return _render_requests()


@bp.post("/site-requests/<int:site_request_id>/<any(approve, reject):decision>")
@page_roles(*site_requests.DECIDERS)
def decide_site_request(site_request_id, decision):
    req = site_requests.request_for(g.actor, site_request_id)
    form = {field: request.form.get(f"{field}-{req.id}", "") for field in ("note", "induction_on")}
    values, errors = load_form(SiteRequestDecisionSchema(), form)
    status = 422
    if not errors:
        try:
            with attempt():
                site_requests.decide(req, approve=decision == "approve", actor=g.actor, **values)
        except DomainError as exc:
            errors, status = domain_errors(exc), exc.status
        else:
            flash(f"{req.doctor.name}: request to work at {req.site.name} {req.status}.", "success")
            return redirect(url_for("staffing.site_requests"))
    errors = {f"{field}-{req.id}" if field in form else field: messages for field, messages in errors.items()}
    return _render_requests(errors=errors, form={req.id: form}, status=status)


@bp.app_context_processor
def _staffing_helpers():
    """``staffing_waiting()`` for the staffing and coordinator home sections: what waits for them."""

    def staffing_waiting():
        actor = g.get("actor") or current_user._get_current_object()
        counts = {"applications": 0, "documents": 0, "site_requests": len(site_requests.queue(actor, status="pending"))}
        if actor.has_role(*applications.DECIDERS):
            counts["applications"] = applications.counts_by_status(actor)["submitted"]
            counts["documents"] = len(verification.queue(actor))
        return counts

    return {"staffing_waiting": staffing_waiting}
