"""Coordinator pages: shifts of my sites by status, post one (or weekly), upload a rota, cancel, re-open, assign.

Registered on the ``shifts`` blueprint by ``views.py``.
"""
import logging

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from ..auth.models import User
from ..auth.permissions import page_roles, sites_in_scope
from ..cascade.services import cover_outlook
from ..errors import Conflict, DomainError, RuleRefused, ValidationFailed
from ..extensions import db
from ..forms import load_form
from ..nav import register_nav
from ..notifications import fanout
from ..org.models import Department, Grade
from ..org.services import all_grades, all_sites, departments_for
from ..templating import london
from ..timeutil import now_utc
from ..transactions import attempt
from . import csv_import, queries, rules, services
from .booking import assign_shift
from .candidates import candidates_for
from .editing import NOTES_EDITABLE_IN, TERMS_EDITABLE_IN
from .eligibility import unavailable
from .models import SHIFT_STATUSES, Shift
from .pages import bp, cursor_arg, page_links
from .pricing import estimate_pay
from .schemas import MAX_REPEAT_WEEKS, AssignSchema, InviteSchema, ShiftFormSchema

log = logging.getLogger(__name__)
COORDINATORS = ("coordinator", "admin")

register_nav("Shifts", "shifts.coordinator", "coordinator", order=20)
register_nav("Post a shift", "shifts.new", "coordinator", order=21)
register_nav("Upload a rota", "shifts.upload", "coordinator", order=22)


def _my_departments():
    return departments_for(sites_in_scope(g.actor, *COORDINATORS))


def _managed_or_404(shift_id) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None or not services.may_coordinate(g.actor, shift.site_id):
        abort(404)
    return shift


def _endpoint(name):
    return name in current_app.view_functions


@bp.get("/coordinator/shifts")
@page_roles(*COORDINATORS)
def coordinator():
    """Shifts of my sites by status, with who is booked."""
    status = request.args.get("status") or None
    status = status if status in SHIFT_STATUSES else None
    site_id = request.args.get("site_id", type=int)
    stmt = queries.coordinator_query(g.actor, status=status, site_id=site_id)
    page = queries.start_page(stmt, after=cursor_arg("after"), before=cursor_arg("before"))
    scope = sites_in_scope(g.actor, *COORDINATORS)
    sites = [s for s in all_sites() if scope is None or s.id in scope]
    kept = {k: v for k, v in (("status", status), ("site_id", site_id)) if v}
    return render_template("shifts/coordinator.html", shifts=page.items,
                           bookings=queries.live_bookings_for([s.id for s in page.items]), status=status,
                           site_id=site_id, sites=sites, statuses=SHIFT_STATUSES, counts=queries.status_counts(stmt),
                           pages=page_links("shifts.coordinator", page, kept))


def _manage_page(shift, *, errors=None, reasons=None, values=None, status=200):
    booking = queries.live_booking(shift.id)
    reasons = [r if isinstance(r, rules.Reason) else rules.Reason(r["code"], r["message"]) for r in reasons or []]
    outlook = cover_outlook(shift) if shift.status == "open" else None
    cascade_url = (url_for("cascade.request_cover", shift_id=shift.id) if outlook and outlook.possible
                   and g.actor.has_role("coordinator") and _endpoint("cascade.request_cover") else None)
    bookable = shift.status in queries.CLAIMABLE_STATUSES
    q = (request.args.get("q") or "").strip()[:100]
    candidates = candidates_for(shift, q=q) if bookable else []
    invitation = fanout.invitation(shift) if bookable else None
    errors = dict(errors or {})
    if "doctor_id" in errors:  # the doctor is chosen by a button, not a field
        errors["_doctor"] = errors.pop("doctor_id")
    return render_template("shifts/manage.html", shift=shift, booking=booking, estimate=estimate_pay(shift),
                           candidates=candidates, q=q, invitation=invitation, now=now_utc(),
                           chosen=db.session.get(User, (values or {}).get("doctor_id")) if reasons else None,
                           outlook=outlook, editable=shift.status in NOTES_EDITABLE_IN,
                           terms_editable=shift.status in TERMS_EDITABLE_IN,
                           errors=errors, reasons=reasons, can_override=rules.overridable(reasons),
                           values=values or {}, violation=queries.latest_violation(shift),
                           cascade_url=cascade_url), status


@bp.get("/coordinator/shifts/<int:shift_id>")
@page_roles(*COORDINATORS)
def manage(shift_id):
    """The shift, and who could be booked on it: a search over the doctors, those who can take it first."""
    return _manage_page(_managed_or_404(shift_id))


@bp.post("/coordinator/shifts/<int:shift_id>/assign")
@page_roles(*COORDINATORS)
def assign(shift_id):
    shift = _managed_or_404(shift_id)
    values = request.form.to_dict()
    body, errors = load_form(AssignSchema(), request.form)
    doctor = db.session.get(User, body["doctor_id"]) if body else None
    if errors or doctor is None:
        return _manage_page(shift, errors=errors or {"doctor_id": ["Choose a doctor."]}, values=values, status=422)
    try:
        with attempt():
            booking = assign_shift(shift.id, doctor=doctor, actor=g.actor, override_reason=body["override_reason"])
    except RuleRefused as exc:
        return _manage_page(_managed_or_404(shift_id), reasons=exc.reasons, values=values, status=422)
    except ValidationFailed as exc:
        return _manage_page(_managed_or_404(shift_id), errors=exc.errors, values=values, status=422)
    except Conflict as exc:
        flash(exc.detail, "error")
        return redirect(url_for("shifts.manage", shift_id=shift_id))
    note = " The working-time override is recorded in the breach register." if booking.override_reason else ""
    flash(f"{doctor.name} is booked on this shift.{note}", "success")
    return redirect(url_for("shifts.manage", shift_id=shift_id))


@bp.post("/coordinator/shifts/<int:shift_id>/invite")
@page_roles(*COORDINATORS)
def invite(shift_id):
    """Text the doctors who can take the shift now (the count was on the page); an optional note leads the text."""
    shift = _managed_or_404(shift_id)
    body, errors = load_form(InviteSchema(), request.form)
    if errors:
        return _manage_page(shift, errors=errors, values=request.form.to_dict(), status=422)
    problem = unavailable(shift, now_utc())
    if problem:
        flash(problem, "error")
        return redirect(url_for("shifts.manage", shift_id=shift_id))
    queued, send_after = fanout.invite(shift, actor=g.actor, message=body["message"])
    when = "" if send_after <= now_utc() else f" They go at {london(send_after, '%H:%M')}, after quiet hours."
    flash(f"{queued} doctor{'' if queued == 1 else 's'} texted about this shift.{when}" if queued
          else "No doctor to text: everyone who can take it has been invited or had today's texts.", "success")
    return redirect(url_for("shifts.manage", shift_id=shift_id))


@bp.post("/coordinator/shifts/<int:shift_id>/cancel")
@page_roles(*COORDINATORS)
def cancel(shift_id):
    shift = _managed_or_404(shift_id)
    reason = request.form.get("reason", "")
    try:
        with attempt():
            services.cancel_shift(shift, actor=g.actor, reason=reason)
    except ValidationFailed as exc:
        return _manage_page(_managed_or_404(shift_id), errors=exc.errors, values={"reason": reason}, status=422)
    except DomainError as exc:
        flash(exc.detail, "error")
    else:
        flash("The shift is cancelled. Anyone booked on it has been taken off.", "success")
    return redirect(url_for("shifts.manage", shift_id=shift_id))


@bp.post("/coordinator/shifts/<int:shift_id>/reopen")
@page_roles(*COORDINATORS)
def reopen(shift_id):
    shift = _managed_or_404(shift_id)
    try:
        with attempt():
            shift = services.reopen_shift(shift, actor=g.actor)
    except DomainError as exc:
        flash(exc.detail, "error")
    else:
        flash("The shift is open again." if shift.status == "open"
              else "The shift is back, waiting for its rate to be approved.", "success")
    return redirect(url_for("shifts.manage", shift_id=shift_id))


# --- posting -----------------------------------------------------------------------------

FORM_FIELDS = ("department_id", "grade_id", "start", "end", "hourly_rate", "reason", "repeat_weeks")


def _parse_form(form) -> tuple[dict, dict]:
    """(parsed, errors) from the post form, read through the API's schema (``ShiftFormSchema``)."""
    values, errors = load_form(ShiftFormSchema(), form)
    if errors:
        return {}, errors
    department = db.session.get(Department, values["department_id"])
    grade = db.session.get(Grade, values["grade_id"])
    if department is None:
        errors["department_id"] = ["Choose a department."]
    if grade is None:
        errors["grade_id"] = ["Choose a grade."]
    return {**values, "department": department, "grade": grade, "weeks": values["repeat_weeks"]}, errors


def _new_page(values, errors, status=200):
    preview_url = url_for("rates.preview") if _endpoint("rates.preview") else None
    return render_template("shifts/new.html", values=values, errors=errors, departments=_my_departments(),
                           grades=all_grades(), preview_url=preview_url, max_weeks=MAX_REPEAT_WEEKS), status


@bp.route("/coordinator/shifts/new", methods=["GET", "POST"])
@page_roles(*COORDINATORS)
def new():
    if request.method == "GET":
        return _new_page({"repeat_weeks": "1"}, {})
    values = {k: request.form.get(k, "") for k in FORM_FIELDS} | {"retrospective": request.form.get("retrospective")}
    parsed, errors = _parse_form(request.form)
    if not errors:
        try:
            with attempt():
                shifts = services.post_weekly(actor=g.actor, department=parsed["department"], grade=parsed["grade"],
                                              start=parsed["start"], end=parsed["end"], weeks=parsed["weeks"],
                                              hourly_rate=parsed["hourly_rate"], reason=parsed["reason"],
                                              retrospective=parsed["retrospective"])
        except ValidationFailed as exc:
            errors = {("grade_id" if k == "grade" else k): v for k, v in (exc.errors or {}).items()}
        else:
            pending = sum(s.status == "pending_rate_approval" for s in shifts)
            message = f"{len(shifts)} shift{'s' if len(shifts) > 1 else ''} posted."
            if pending:
                message += f" {pending} wait{'s' if pending == 1 else ''} for rate approval (above the card)."
            flash(message, "success")
            return redirect(url_for("shifts.manage", shift_id=shifts[0].id))
    return _new_page(values, errors, 422)


@bp.route("/coordinator/shifts/upload", methods=["GET", "POST"])
@page_roles(*COORDINATORS)
def upload():
    if request.method == "GET":
        return render_template("shifts/upload.html", errors={}, line_errors=[], site_codes=csv_import.site_codes())
    upload = request.files.get("file")
    errors = {}
    if upload is None or not upload.filename:
        errors = {"file": ["Choose a CSV file."]}
    else:
        try:
            with attempt():
                shifts = csv_import.import_rota(upload.read().decode("utf-8-sig"), actor=g.actor)
        except UnicodeDecodeError:
            errors = {"file": ["Save the rota as CSV (UTF-8) and try again."]}
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            flash(f"{len(shifts)} shifts imported.", "success")
            return redirect(url_for("shifts.coordinator"))
    return render_template("shifts/upload.html", errors=_summary(errors), line_errors=_line_errors(errors),
                           site_codes=csv_import.site_codes()), 422


@bp.get("/coordinator/shifts/upload/template.csv")
@page_roles(*COORDINATORS)
def upload_template():
    """A rota file to start from (header and example lines at one of my departments)."""
    return csv_import.template_csv(g.actor), 200, {"Content-Type": "text/csv; charset=utf-8",
                                                   "Content-Disposition": "attachment; filename=rota-template.csv"}


def _line_errors(errors):
    return [(key, messages) for key, messages in (errors or {}).items() if key.startswith("line ")]


def _summary(errors):
    """Line errors go in the summary unlinked (there is no field to jump to)."""
    return {(f"_{key}" if key.startswith("line ") else key): ([f"{key.capitalize()}: {m}" for m in messages]
                                                              if key.startswith("line ") else messages)
            for key, messages in (errors or {}).items()}
