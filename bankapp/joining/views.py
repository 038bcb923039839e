"""Public pages: "Join the bank", the applicant's status page (with the code form), the set-password link.

No login: the status page is reached by its secret token (in the applicant's
texts), the password page by the one-time link. The form is read through the
API's schema, every field with its message beside it; uploads are checked as
a doctor's own uploads are.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..auth.rules import MIN_LENGTH
from ..errors import DomainError
from ..forms import domain_errors, load_form
from ..org import services as org_services
from ..staff.documents import DOCUMENT_KINDS, DOCUMENT_LABELS, DOCUMENT_WORDS, KIND_OPTIONS
from ..staff.schemas import DocumentUploadSchema
from ..staff.verification import check_upload, read_upload
from ..transactions import attempt, keep_on_error
from . import applications, doctor_views, report_views, staffing_views, welcome
from .rules import CHECKLIST
from .schemas import MISSING, ApplicationCreateSchema, ConfirmCodeSchema
from .throttle import limited_per_address, limited_per_address_and_mobile

bp = Blueprint("joining", __name__)
BLUEPRINTS = [bp, staffing_views.bp, doctor_views.bp, report_views.bp]
FIELDS = ("name", "email", "mobile", "gmc_number", "grade", "specialties", "sms_opt_in")


def _choices():
    return {"grade_options": [("", "Choose your grade")] + [(g.code, f"{g.code} – {g.name}")
                                                            for g in org_services.all_grades()],
            "site_options": [(s.id, s.name) for s in org_services.all_sites()],
            "kinds": DOCUMENT_KINDS, "labels": DOCUMENT_LABELS}


def _form_input(form) -> MultiDict:
    """The posted form as the schema reads it: specialties typed with commas become a list."""
    data = MultiDict(form)
    specialties = [s.strip() for s in form.get("specialties", "").split(",") if s.strip()]
    data.setlist("specialties", specialties)
    return data


def _documents(form, files) -> tuple[list[dict], dict]:
    """Optional uploads, one per kind: a file needs its expiry date and the same checks as a doctor's upload."""
    documents, errors = [], {}
    for kind in DOCUMENT_KINDS:
        upload = files.get(f"{kind}_file")
        content = upload.read() if upload is not None and upload.filename else b""
        expires_text = form.get(f"{kind}_expires_on", "").strip()
        if not content and not expires_text:
            continue
        values, date_errors = load_form(DocumentUploadSchema(only=("expires_on",)), {"expires_on": expires_text},
                                        {"expires_on": "Enter the date this document runs out."})
        found = {f"{kind}_expires_on": date_errors["expires_on"]} if date_errors else {}
        for field, messages in check_upload(content=content, expires_on=(values or {}).get("expires_on")).items():
            found.setdefault(f"{kind}_{field}", []).extend(messages)
        if found:
            errors.update(found)
        else:
            documents.append({"kind": kind, "expires_on": values["expires_on"], "content": content})
    return documents, errors


@bp.route("/join", methods=["GET", "POST"])
@limited_per_address_and_mobile
def apply():
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        values, errors = load_form(ApplicationCreateSchema(), _form_input(request.form), MISSING)
        documents, doc_errors = _documents(request.form, request.files)
        errors = {**errors, **doc_errors}
        if not errors:
            try:
                with attempt():
                    application = applications.apply(**values, documents=documents)
            except DomainError as exc:
                errors = domain_errors(exc)
            else:
                flash("We have texted you a 6-digit code. Enter it below to send your application.", "success")
                return redirect(url_for("joining.status", token=application.token))
    return render_template("joining/apply.html", errors=errors, form=form,
                           signed_in=current_user.is_authenticated, **_choices()), 422 if errors else 200


def _render_status(application, *, errors=None, status=200, form=None):
    sites = {s.id: s.name for s in org_services.all_sites()}
    return render_template("joining/status.html", application=application, errors=errors or {},
                           site_names=[sites[i] for i in application.site_ids if i in sites], checklist=CHECKLIST,
                           document_names=[DOCUMENT_LABELS[doc.kind] for doc in application.documents],
                           form=form or {}, kind_options=KIND_OPTIONS,
                           may_add=application.status in applications.UNDECIDED), status


@bp.get("/join/<string:token>")
def status(token):
    return _render_status(applications.by_token(token))


@bp.post("/join/<string:token>/confirm")
@limited_per_address
def confirm(token):
    application = applications.by_token(token)
    values, errors = load_form(ConfirmCodeSchema(), request.form, MISSING)
    if not errors:
        keep_on_error()  # a wrong code is counted even though the page answers 422
        try:
            applications.confirm_mobile(application, values["code"])
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            flash("Thank you: your application is with the staffing team.", "success")
            return redirect(url_for("joining.status", token=token))
    return _render_status(application, errors=errors, status=422)


@bp.post("/join/<string:token>/documents")
@limited_per_address
def add_document(token):
    """A document the applicant did not have when applying, or a newer one of the same kind."""
    application = applications.by_token(token)
    form = {"kind": request.form.get("kind", ""), "expires_on": request.form.get("expires_on", "")}
    values, errors = read_upload(request.form, request.files)
    status = 422
    if not errors:
        try:
            with attempt():
                doc = applications.add_document(application, **values)
        except DomainError as exc:
            errors, status = domain_errors(exc), exc.status
        else:
            flash(f"Your {DOCUMENT_WORDS[doc.kind]} is uploaded. The staffing team checks it with your application.",
                  "success")
            return redirect(url_for("joining.status", token=token))
    return _render_status(application, errors=errors, status=status, form=form)


@bp.post("/join/<string:token>/new-code")
@limited_per_address_and_mobile
def new_code(token):
    application = applications.by_token(token)
    try:
        with attempt():
            applications.send_code(application)
    except DomainError as exc:
        return _render_status(application, errors=domain_errors(exc), status=exc.status)
    flash("We have texted you a new code.", "success")
    return redirect(url_for("joining.status", token=token))


@bp.route("/welcome/<string:link_token>", methods=["GET", "POST"])
def set_password(link_token):
    link = welcome.live_link(link_token)
    errors = {}
    if request.method == "POST":
        try:
            with attempt():
                welcome.use_link(link_token, request.form.get("password", ""))
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            flash("Your password is set. Log in with your email address and your new password.", "success")
            return redirect(url_for("auth.login"))
    return render_template("joining/welcome.html", person=link.user, errors=errors, min_length=MIN_LENGTH
                           ), 422 if errors else 200
