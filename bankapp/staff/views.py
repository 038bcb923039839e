"""Admin pages for people: search, add, change details, compliance documents, deactivate."""
import logging

import marshmallow as ma
from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..auth.models import ROLE_LABELS, ROLES, User
from ..auth.permissions import page_roles
from ..cascade.models import Agency
from ..errors import DomainError, NotFound, field_messages
from ..extensions import db
from ..forms import domain_errors, load_form, submit_form
from ..nav import register_nav
from ..org import services as org_services
from ..timeutil import london_date, now_utc
from ..transactions import attempt
from . import document_views, services
from .documents import DOCUMENT_LABELS, KIND_OPTIONS
from .models import ComplianceDocument
from .schemas import DocumentCreateSchema, UserCreateSchema, UserUpdateSchema

log = logging.getLogger(__name__)
bp = Blueprint("staff", __name__, url_prefix="/admin")
BLUEPRINTS = [bp, document_views.bp]

register_nav("People", "staff.users", "admin", order=83)

PER_PAGE = 25
PERSON_FIELDS = ("email", "name", "password", "grade", "mobile", "esr_assignment_number", "gmc_number", "agency_id")
PERSON_MISSING = {"email": "Enter an email address.", "name": "Enter the person's full name.",
                  "password": "Enter a starting password.", "roles": "Choose at least one role."}
DOCUMENT_MISSING = {"kind": "Choose the kind of document.", "expires_on": "Enter the expiry date."}


def _person_form():
    form = {f: request.form.get(f, "") for f in PERSON_FIELDS}
    form["roles"] = request.form.getlist("roles")
    form["site_ids"] = request.form.getlist("site_ids")
    form["sms_opt_in"] = "sms_opt_in" in request.form
    if not form["roles"]:
        del form["roles"]
    return form


def _choices():
    """Options for the person form's selects and checkboxes."""
    agencies = db.session.execute(db.select(Agency).order_by(Agency.name)).scalars().all()
    return {
        "role_options": [(r, ROLE_LABELS[r]) for r in ROLES],
        "site_options": [(s.id, f"{s.name} ({s.code})") for s in org_services.all_sites()],
        "grade_options": [("", "No grade (not a doctor)")] + [(g.code, f"{g.code} – {g.name}")
                                                               for g in org_services.all_grades()],
        "agency_options": [("", "No agency")] + [(a.id, f"{a.name} (tier {a.tier})") for a in agencies],
    }


def _get_user(user_id) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such person.")
    return user


@bp.route("/users", methods=["GET", "POST"])
@page_roles("admin")
def users():
    errors, form = {}, {}
    if request.method == "POST":
        form = _person_form()
        user, errors = submit_form(UserCreateSchema(), form, PERSON_MISSING,
                                   lambda **v: services.create_person(**v, actor=g.actor))
        if user:
            flash(f"{user.name} added.", "success")
            return redirect(url_for("staff.user", user_id=user.id))
    text = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    role = role if role in ROLES else ""
    page = max(request.args.get("page", 1, type=int), 1)
    rows, has_next = services.search_people(text=text, role=role or None, page=page, per_page=PER_PAGE)
    next_url = url_for("staff.users", q=text or None, role=role or None, page=page + 1) if has_next else None
    prev_url = url_for("staff.users", q=text or None, role=role or None, page=page - 1) if page > 1 else None
    return render_template("staff/users.html", people=rows, q=text, role=role, next_url=next_url, prev_url=prev_url,
                           errors=errors, form=form, **_choices()), 422 if errors else 200


def _render_user(user, *, errors=None, form=None, details=None, status=200):
    """The person's page; ``form``/``errors`` refill the document form, ``details`` the details form."""
    today = london_date(now_utc())
    documents = [(doc, services.document_status(doc.expires_on, today)) for doc in services.documents_of(user.id)]
    sites = {s.id: s for s in org_services.all_sites()}
    details = details or {k: ("" if v is None else v) for k, v in services.person_values(user).items()}
    return render_template("staff/user.html", person=user, documents=documents, today=today,
                           site_names=[sites[i].name for i in user.site_ids if i in sites],
                           document_labels=DOCUMENT_LABELS,
                           kind_options=KIND_OPTIONS,
                           errors=errors or {}, form=form or {}, details=details, **_choices()), status


@bp.get("/users/<int:user_id>")
@page_roles("admin")
def user(user_id):
    return _render_user(_get_user(user_id))


@bp.post("/users/<int:user_id>/documents")
@page_roles("admin")
def add_document(user_id):
    person = _get_user(user_id)
    form = {f: request.form.get(f, "") for f in ("kind", "expires_on", "reference")}
    values, errors = load_form(DocumentCreateSchema(), form, DOCUMENT_MISSING)
    if errors and "expires_on" in errors and form["expires_on"].strip():
        errors["expires_on"] = ["Enter the expiry date as a real date, for example 31/03/2027."]
    if not errors:
        try:
            with attempt():
                doc = services.add_document(person, **values, actor=g.actor)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            flash(f"{DOCUMENT_LABELS[doc.kind]} added for {person.name}.", "success")
            return redirect(url_for("staff.user", user_id=person.id))
    return _render_user(person, errors=errors, form=form, status=422)


# Blank in the details form means "none" for these; for the grade it means "leave as it is".
CLEARABLE = ("mobile", "esr_assignment_number", "gmc_number", "agency_id")


def _details_values(form) -> dict:
    """The details form as UserUpdateSchema input: every field is sent, so an edit can clear what is blank."""
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in form.items() if k != "password"}
    data["roles"] = form.get("roles", [])
    for field in CLEARABLE:
        data[field] = data.get(field) or None
    data["grade"] = data.get("grade") or None
    return data


@bp.post("/users/<int:user_id>/details")
@page_roles("admin")
def edit_details(user_id):
    person = _get_user(user_id)
    form = _person_form()
    form.setdefault("roles", [])
    form["wtr_opt_out"] = "wtr_opt_out" in request.form
    try:
        values = UserUpdateSchema().load(_details_values(form))
        with attempt():
            services.update_person(person, **values, actor=g.actor)
    except ma.ValidationError as exc:
        errors = field_messages(exc)
    except DomainError as exc:
        errors = domain_errors(exc)
    else:
        flash(f"{person.name}'s details are saved.", "success")
        return redirect(url_for("staff.user", user_id=person.id))
    return _render_user(_get_user(user_id), errors=errors, details=form, status=422)


@bp.post("/users/<int:user_id>/documents/<int:document_id>/remove")
@page_roles("admin")
def remove_document(user_id, document_id):
    person = _get_user(user_id)
    doc = db.session.get(ComplianceDocument, document_id)
    if doc is None or doc.user_id != person.id:
        raise NotFound("No such document.")
    label = DOCUMENT_LABELS.get(doc.kind, doc.kind)
    services.remove_document(doc, actor=g.actor)
    flash(f"{label} (expiring {doc.expires_on.strftime('%-d %b %Y')}) removed from {person.name}'s record.",
          "success")
    return redirect(url_for("staff.user", user_id=person.id))


@bp.post("/users/<int:user_id>/active")
@page_roles("admin")
def set_active(user_id):
    person = _get_user(user_id)
    active = request.form.get("active") == "1"
    try:
        with attempt():
            services.set_active(person, active, actor=g.actor)
    except DomainError as exc:
        return _render_user(person, errors=domain_errors(exc), status=422)
    flash(f"{person.name} {'can log in again' if active else 'is deactivated and can no longer log in'}.", "success")
    return redirect(url_for("staff.user", user_id=person.id))
