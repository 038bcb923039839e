"""Doctor pages: the shift board, a shift with one-tap claim, My shifts, and the calendar feed.

Coordinator pages live in ``coordinator_views.py`` (same blueprint, ``pages.bp``). Every
page works without JavaScript; htmx only swaps the claim result in place.
"""
import logging
from datetime import date, timedelta

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from ..auth.permissions import page_roles
from ..errors import Conflict, DomainError, RuleRefused
from ..extensions import db
from ..nav import register_nav
from ..org.services import all_grades, all_sites, departments_for
from ..timeutil import london_date, now_utc
from ..transactions import attempt
from . import coordinator_views, edit_views, eligibility, ical, queries, rate_approval_views, services  # noqa: F401 (routes)
from .booking import claim_shift
from .eligibility import DoctorView
from .models import Shift
from .pages import bp, cursor_arg, page_links
from .pricing import estimate_pay, estimate_pays
from .schemas import london_midnight

log = logging.getLogger(__name__)
BLUEPRINTS = [bp, rate_approval_views.bp]

register_nav("Find shifts", "shifts.board", "doctor", order=10)
register_nav("My shifts", "shifts.my_shifts", "doctor", order=11)


def _parse_day(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def board_filters(args) -> tuple[dict, dict, dict]:
    """(filters for the query, values to show in the form, errors) from the GET form."""
    values = {k: (args.get(k) or "").strip() for k in ("site_id", "department_id", "grade", "from", "to")}
    errors = {}
    filters = {}
    for key in ("site_id", "department_id"):
        if values[key]:
            if values[key].isdigit():
                filters[key] = int(values[key])
            else:
                errors[key] = ["Choose from the list."]
    if values["grade"]:
        filters["grade"] = values["grade"]
    for key, field in (("from", "from_"), ("to", "to")):
        if values[key]:
            day = _parse_day(values[key])
            if day is None:
                errors[key] = ["Enter a date like 2026-12-01."]
            else:
                filters[field] = london_midnight(day + timedelta(days=1 if key == "to" else 0))
    return filters, values, errors


# --- board and detail ---------------------------------------------------------------


BOARD_VIEWS = ("mine", "all")  # "Shifts I can take" (the default) and every open shift, with why not


@bp.get("/shifts")
@page_roles("doctor")
def board():
    """Open shifts this doctor may work, at every site, soonest first, 25 a page.

    By default only the shifts a claim would book now ("Shifts I can take");
    ``?show=all`` lists every open shift, each one the doctor cannot take with
    the claim's reasons.
    """
    filters, values, errors = board_filters(request.args)
    show = request.args.get("show") if request.args.get("show") in BOARD_VIEWS else "mine"
    page, total, view = queries.Page([]), 0, None
    if not errors:
        view = DoctorView.from_now(g.actor)
        stmt = queries.board_query(g.actor, **filters)
        mine = show == "mine"
        page = queries.start_page(stmt.where(queries.clear_of_bookings(g.actor.id)) if mine else stmt,
                                  after=cursor_arg("after"), before=cursor_arg("before"),
                                  keep=view.can_claim if mine else None)
        total = queries.count(stmt)
    kept = {k: v for k, v in values.items() if v} | ({"show": show} if show != "mine" else {})
    return render_template("shifts/board.html", shifts=page.items, total=total, values=values, errors=errors,
                           show=show, reasons={s.id: view.reasons(s) for s in page.items} if view else {},
                           estimates=estimate_pays(page.items), options=filter_options(g.actor),
                           switch_urls={v: url_for("shifts.board", **{k: x for k, x in values.items() if x},
                                                   **({"show": v} if v != "mine" else {})) for v in BOARD_VIEWS},
                           pages=page_links("shifts.board", page, kept)), (422 if errors else 200)


def filter_options(doctor) -> dict:
    """(value, label) lists for the board's filters: sites and grades the doctor may work."""
    sites = [s for s in all_sites() if not doctor.site_ids or s.id in doctor.site_ids]
    site_names = {s.id: s.name for s in sites}
    rank = queries.doctor_rank(doctor)
    return {
        "sites": [(s.id, s.name) for s in sites],
        "departments": [(d.id, f"{d.name}, {site_names[d.site_id]}") for d in departments_for(list(site_names))],
        "grades": [(gr.code, f"{gr.name} ({gr.code})") for gr in all_grades() if rank is not None and gr.rank <= rank],
    }


def _visible_or_404(shift_id) -> Shift:
    shift = queries.visible_shift(g.actor, shift_id)
    if shift is None:
        abort(404)
    return shift


def _detail_page(shift, *, problem=None, status=200):
    """The shift page: what a claim would answer now (its reasons, or the Claim button) on the first screen."""
    booking = queries.live_booking(shift.id)
    mine = booking is not None and booking.doctor_id == g.actor.id
    reasons = [] if mine or problem else eligibility.for_doctor(g.actor, [shift])[shift.id]
    return render_template("shifts/detail.html", shift=shift, estimate=estimate_pay(shift), mine=mine,
                           booking=booking if mine else None, reasons=reasons, problem=problem,
                           cancel_by=services.cancel_by(shift)), status


@bp.get("/shifts/<int:shift_id>")
@page_roles("doctor")
def detail(shift_id):
    return _detail_page(_visible_or_404(shift_id))


@bp.post("/shifts/<int:shift_id>/claim")
@page_roles("doctor")
def claim(shift_id):
    """One tap: book it. With htmx the booking replaces the claim panel (and the status tag); without, a redirect."""
    htmx = request.headers.get("HX-Request") == "true"
    try:
        with attempt():
            booking = claim_shift(shift_id, doctor=g.actor)
    except (RuleRefused, Conflict) as exc:
        return _claim_refused(shift_id, exc, htmx)
    log.info("doctor %s claimed shift %s", g.actor.id, shift_id)
    shift, cancel_by = booking.shift, services.cancel_by(booking.shift)
    if htmx:
        return render_template("shifts/_claim_result.html", booking=booking, shift=shift, cancel_by=cancel_by)
    message = f"Booked: {shift.department.name}, {shift.site.name}. It is in My shifts."
    if cancel_by is None:
        message += " " + services.cutoff_message(shift)
    flash(message, "success")
    return redirect(url_for("shifts.my_shifts"))


def _claim_refused(shift_id, exc, htmx):
    shift = db.session.get(Shift, shift_id) or abort(404)
    reasons = exc.reasons if isinstance(exc, RuleRefused) else None
    problem = None if reasons else exc.detail
    if htmx:
        return render_template("shifts/_claim_panel.html", shift=shift, reasons=reasons, problem=problem,
                               mine=False, cancel_by=services.cancel_by(shift)), exc.status
    if queries.visible_shift(g.actor, shift_id) is None:
        flash(problem or "You cannot take this shift.", "error")
        return redirect(url_for("shifts.board"))
    return _detail_page(shift, problem=problem, status=exc.status)


# --- my shifts ---------------------------------------------------------------------------


@bp.get("/my-shifts")
@page_roles("doctor")
def my_shifts():
    upcoming = db.session.execute(queries.my_bookings(g.actor, "upcoming").order_by(Shift.start_at)).scalars().all()
    past = db.session.execute(queries.my_bookings(g.actor, "past").order_by(Shift.start_at.desc()).limit(50)
                              ).scalars().all()
    profile = g.actor.doctor_profile
    feed = (url_for("shifts.calendar", token=profile.calendar_token, _external=True)
            if profile is not None and profile.calendar_token else None)
    # webcal:// opens the phone's calendar app and subscribes (it then fetches the feed over https or http).
    webcal = "webcal://" + feed.split("://", 1)[1] if feed else None
    return render_template("shifts/my_shifts.html", upcoming=upcoming, past=past, feed=feed, webcal=webcal,
                           may_cancel={b.id: services.doctor_may_cancel(b) for b in upcoming},
                           today=london_date(now_utc()))


@bp.post("/my-shifts/<int:booking_id>/cancel")
@page_roles("doctor")
def cancel_my_booking(booking_id):
    booking = queries.my_booking(g.actor, booking_id) or abort(404)
    try:
        with attempt():
            services.cancel_booking(booking, actor=g.actor, reason=request.form.get("reason"))
    except DomainError as exc:
        message = exc.reasons[0]["message"] if exc.reasons else exc.detail
        flash(message, "error")
    else:
        flash("Your booking is cancelled and the shift is back on the board.", "success")
    return redirect(url_for("shifts.my_shifts"))


@bp.get("/calendar/<token>.ics")
def calendar(token):
    """The doctor's booked shifts as iCalendar, behind a secret URL (no login: phones subscribe to it)."""
    body = ical.feed_for_token(token)
    if body is None:
        abort(404)
    return current_app.response_class(body, mimetype="text/calendar",
                                      headers={"Content-Disposition": "inline; filename=staff-bank.ics"})

