"""Timesheet pages: the doctor's list and form, the approver queue, agency entries.

Every page works without JavaScript. Times are typed as London wall-clock
time (datetime-local inputs) and prefilled with the booked times, so a doctor
who worked as booked submits with one tap.
"""
import logging
from decimal import Decimal

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from ..auth import duties
from ..auth.permissions import page_roles
from ..errors import DomainError, ValidationFailed
from ..extensions import db
from ..forms import form_data, load_form
from ..nav import register_nav
from ..shifts.models import Booking
from ..timeutil import BAND_LABELS, now_utc, to_london
from ..transactions import attempt
from . import queries, rules, services
from .models import Timesheet
from .schemas import TimesInSchema

log = logging.getLogger(__name__)
bp = Blueprint("timesheets", __name__)

register_nav("Timesheets", "timesheets.mine", "doctor", order=20)
register_nav("Timesheets to approve", "timesheets.queue", "approver", order=30)
register_nav("Agency timesheets", "timesheets.agency", "coordinator", order=31)


@bp.app_context_processor
def _timesheet_helpers():
    return {"timesheets_home": queries, "band_labels": BAND_LABELS, "cutoff_text": _cutoff_text}


def _cutoff_text():
    settings = services.cutoff_settings()
    return rules.describe_cutoff(settings["weekday"], settings["at"])


# --- form handling -------------------------------------------------------------


def _local(dt) -> str:
    return to_london(dt).strftime("%Y-%m-%dT%H:%M")


def times_from_form(form) -> tuple[dict, dict, dict]:
    """(values to show again, errors by field, parsed arguments for the service), read with the API's schema."""
    values = {k: (form.get(k) or "").strip() for k in ("actual_start", "actual_end", "break_minutes", "note")}
    parsed, errors = load_form(TimesInSchema(), form)
    if errors:  # keep what did parse, so the time rules can still be checked alongside
        partial = TimesInSchema(partial=True)
        good = {k: v for k, v in form_data(partial, form).items() if k not in errors}
        parsed = partial.load(good)
    return values, errors, parsed


def with_time_errors(booking, parsed: dict, errors: dict) -> dict:
    """When the form already has errors, add the time-rule problems too, so every one shows at once."""
    if not errors or "actual_start" not in parsed or "actual_end" not in parsed:
        return errors
    found = rules.check_actual_times(booked_start=booking.shift.start_at, booked_end=booking.shift.end_at,
                                     actual_start=parsed["actual_start"], actual_end=parsed["actual_end"],
                                     break_minutes=parsed.get("break_minutes", 0), note=parsed.get("note"),
                                     now=now_utc())
    return {**found, **errors}


def _booked_values(booking) -> dict:
    return {"actual_start": _local(booking.shift.start_at), "actual_end": _local(booking.shift.end_at),
            "break_minutes": "0", "note": ""}


def _saved(call) -> dict:
    """Run one timesheet workflow and commit: {} when it went through, else the form's errors.

    Nothing is kept on a refusal; 403 and 404 are not form errors and go up.
    """
    try:
        with attempt():
            call()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _problem_errors(exc)
    return {}


def _problem_errors(exc: DomainError) -> dict:
    if exc.errors:
        return exc.errors
    if exc.reasons:
        return {"_form": [r["message"] if isinstance(r, dict) else r.message for r in exc.reasons]}
    return {"_form": [exc.detail]}


# --- doctor (and coordinator for agency locums) ----------------------------------------


@bp.get("/timesheets")
@page_roles("doctor", "approver", "coordinator")
def mine():
    """A doctor's timesheets; approvers and coordinators (e.g. from an SMS link) go to their own page."""
    if not g.actor.has_role("doctor"):
        return redirect(url_for("timesheets.queue" if g.actor.has_role("approver") else "timesheets.agency"))
    timesheets = queries.doctor_timesheets(g.actor)
    return render_template("timesheets/mine.html", awaiting=queries.bookings_awaiting_timesheet(g.actor),
                           timesheets=timesheets, exported=queries.export_times(timesheets))


def _booking_for_entry(booking_id) -> Booking:
    booking = db.session.get(Booking, booking_id) if booking_id else None
    if booking is None or not services.may_enter(booking, g.actor):
        abort(404)
    return booking


@bp.route("/timesheets/new", methods=["GET", "POST"])
@page_roles("doctor", "coordinator")
def new():
    booking = _booking_for_entry(request.values.get("booking_id", type=int))
    back = url_for("timesheets.agency") if booking.source == "agency" else url_for("timesheets.mine")
    if request.method == "GET":
        return render_template("timesheets/form.html", booking=booking, values=_booked_values(booking), errors={},
                               back=back, action=url_for("timesheets.new", booking_id=booking.id))
    values, errors, parsed = times_from_form(request.form)
    errors = with_time_errors(booking, parsed, errors)
    if not errors:
        errors = _saved(lambda: services.submit_timesheet(booking, actor=g.actor, **parsed))
    if not errors:
        flash("Timesheet sent for approval.", "success")
        return redirect(back)
    return render_template("timesheets/form.html", booking=booking, values=values, errors=errors, back=back,
                           action=url_for("timesheets.new", booking_id=booking.id)), 422


def _visible_or_404(ts_id) -> Timesheet:
    ts = queries.visible_to(g.actor, ts_id)
    if ts is None:
        abort(404)
    return ts


def _detail(ts, *, errors=None, values=None, status=200):
    values = values or ({"actual_start": _local(ts.actual_start), "actual_end": _local(ts.actual_end),
                         "break_minutes": str(ts.break_minutes), "note": ts.note or ""})
    may_decide = ts.status == "submitted" and services.may_decide(ts, g.actor)
    return render_template("timesheets/detail.html", ts=ts, pay=queries.pay_of(ts), diff=queries.differences(ts),
                           may_amend=ts.status == "queried" and services.may_enter(ts.booking, g.actor),
                           may_decide=may_decide, pay_if_approved=queries.pay_if_approved(ts) if may_decide else None,
                           exported_at=queries.export_times([ts]).get(ts.id),
                           misses=queries.misses_cutoff(ts), due=queries.due_cutoff(ts), values=values,
                           errors=errors or {}), status


@bp.get("/timesheets/<int:ts_id>")
@page_roles()
def detail(ts_id):
    return _detail(_visible_or_404(ts_id))


@bp.post("/timesheets/<int:ts_id>/amend")
@page_roles("doctor", "coordinator")
def amend(ts_id):
    ts = _visible_or_404(ts_id)
    values, errors, parsed = times_from_form(request.form)
    errors = with_time_errors(ts.booking, parsed, errors)
    if not errors:
        errors = _saved(lambda: services.amend_timesheet(ts, actor=g.actor, **parsed))
    if not errors:
        flash("Timesheet sent back for approval.", "success")
        return redirect(url_for("timesheets.detail", ts_id=ts.id))
    return _detail(db.session.get(Timesheet, ts_id), errors=errors, values=values, status=422)


@bp.get("/timesheets/agency")
@page_roles("coordinator")
def agency():
    """Agency locums have no login: the site's coordinator enters their timesheets."""
    timesheets = db.session.execute(
        queries.list_statement(g.actor).join(Booking, Timesheet.booking_id == Booking.id)
        .where(Booking.source == "agency").order_by(Timesheet.id.desc()).limit(100)).unique().scalars().all()
    return render_template("timesheets/agency.html", awaiting=queries.agency_bookings_awaiting(g.actor),
                           timesheets=timesheets)


# --- approver --------------------------------------------------------------------


@bp.get("/timesheets/queue")
@page_roles("approver")
def queue():
    items = queries.approver_queue(g.actor)
    diffs = {ts.id: queries.differences(ts) for ts in items}
    pay = {ts.id: queries.pay_if_approved(ts) for ts in items}
    queue_total = sum((Decimal(p["total"]) for p in pay.values() if p), Decimal(0))
    return render_template("timesheets/queue.html", diffs=diffs, pay=pay, queue_total=queue_total,
                           unchanged=[ts for ts in items if diffs[ts.id]["unchanged"]],
                           changed=[ts for ts in items if not diffs[ts.id]["unchanged"]],
                           misses={ts.id: queries.misses_cutoff(ts) for ts in items},
                           due={ts.id: queries.due_cutoff(ts) for ts in items})


@bp.post("/timesheets/<int:ts_id>/<any(approve, reject, query):action>")
@page_roles("approver")
def decide(ts_id, action):
    ts = _visible_or_404(ts_id)  # another site's timesheet: 404, as everywhere
    note = request.form.get("note")
    try:
        with attempt():
            getattr(services, f"{action}_timesheet")(ts, actor=g.actor, note=note)
    except ValidationFailed as exc:
        return _detail(db.session.get(Timesheet, ts_id), errors=exc.errors, status=422)
    except DomainError as exc:
        if exc.status in (403, 404) and not duties.is_own_request(exc):
            raise
        flash(exc.detail, "error")
        return redirect(url_for("timesheets.queue"))
    words = {"approve": "approved", "reject": "rejected", "query": "queried"}[action]
    flash(f"Timesheet {ts_id} {words}.", "success")
    return redirect(url_for("timesheets.queue"))


@bp.post("/timesheets/bulk-approve")
@page_roles("approver")
def bulk_approve():
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    try:
        with attempt():
            approved = services.bulk_approve(ids, actor=g.actor)
    except DomainError as exc:
        messages = [r["message"] for r in exc.reasons] if exc.reasons else [exc.detail]
        flash(" ".join(messages), "error")
    else:
        flash(f"{len(approved)} timesheet{'s' if len(approved) != 1 else ''} approved.", "success")
    return redirect(url_for("timesheets.queue"))
