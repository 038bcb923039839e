"""Rate card pages (admin), the post form's price preview (coordinators).

The approval queue and the coordinator's returned rates are in
``violation_views.py``, on the same blueprint.
"""
import logging
from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from ..auth.permissions import can_act_on_site, page_roles
from ..errors import DomainError
from ..extensions import db
from ..fields import FLAT_RATE_NOT_POSITIVE
from ..money import parse_money
from ..nav import register_nav
from ..org.models import Department, Grade
from ..org.services import all_grades
from ..timeutil import BAND_LABELS, BANDS, TimeInputError, london_date, now_utc, parse_datetime
from ..transactions import attempt
from . import cards, csv_io, services
from .models import RateCard

log = logging.getLogger(__name__)
bp = Blueprint("rates", __name__)

register_nav("Rate card", "rates.index", "admin", order=83)

PREVIEW_ROLES = ("coordinator", "admin")


def _grid_context(card):
    return {"card": card, "grid": cards.card_grid(card) if card else [], "bands": BANDS,
            "band_labels": BAND_LABELS}


@bp.get("/rates")
@page_roles("admin")
def index():
    """The card in force today as a grade × band grid, and what comes next."""
    card = services.current_card()
    today = london_date(now_utc())
    upcoming = [c for c in cards.card_history() if c.effective_from > today]
    return render_template("rates/index.html", upcoming=upcoming, **_grid_context(card))


@bp.get("/rates/history")
@page_roles("admin")
def history():
    current = services.current_card()
    return render_template("rates/history.html", cards=cards.card_history(),
                           current_id=current.id if current else None, today=london_date(now_utc()))


@bp.get("/rates/<int:card_id>")
@page_roles("admin")
def show(card_id):
    card = db.session.get(RateCard, card_id) or abort(404)
    return render_template("rates/show.html", **_grid_context(card))


@bp.get("/rates/<int:card_id>.csv")
@page_roles("admin")
def download(card_id):
    card = db.session.get(RateCard, card_id) or abort(404)
    return (csv_io.card_to_csv(card), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f"attachment; filename=rate-card-{card.effective_from.isoformat()}.csv"})


def _new_form(values, typed, errors, cell_errors, status=200):
    return render_template("rates/new.html", values=values, typed=typed, errors=errors, cell_errors=cell_errors,
                           grades=all_grades(), bands=BANDS, band_labels=BAND_LABELS,
                           field_name=csv_io.field_name), status


@bp.get("/rates/new")
@page_roles("admin")
def new():
    """The grid form, filled with the current card's figures to edit."""
    return _new_form({"effective_from": ""}, csv_io.typed_from_card(services.current_card()), {}, {})


def _parse_date(text, errors):
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors["effective_from"] = ["Enter the date the card takes effect, for example 2026-04-01."]
        return None


def _card_errors(exc, *, from_csv):
    """Service errors → (summary errors, cell errors) for the page."""
    cells = getattr(exc, "cells", {}) or {}
    summary = {k: v for k, v in (exc.errors or {}).items() if k not in ("rates", "agency_caps")}
    cell_messages = [*(exc.errors or {}).get("rates", []), *(exc.errors or {}).get("agency_caps", [])]
    if from_csv and cell_messages:
        summary["rates_csv"] = cell_messages
    elif cells:
        summary.update(cells)
    elif cell_messages:
        summary["_form"] = cell_messages
    if not exc.errors:
        summary["_form"] = [exc.detail]
    return summary, cells


@bp.post("/rates/new")
@page_roles("admin")
def create():
    values = {k: request.form.get(k, "").strip() for k in ("effective_from", "backdated_reason", "note")}
    upload = request.files.get("rates_csv")
    from_csv = bool(upload and upload.filename)
    errors = {}
    effective_from = _parse_date(values["effective_from"], errors)
    grades = all_grades()
    if from_csv:
        try:
            rates, caps = csv_io.parse_rates_csv(upload.read())
        except csv_io.CsvProblem as exc:
            errors["rates_csv"] = exc.messages
            rates, caps = [], []
        typed = csv_io.typed_from_lists(rates, caps)
    else:
        rates, caps, typed = csv_io.grid_from_form(request.form, grades)
    if errors:
        return _new_form(values, typed, errors, {}, 422)
    try:
        with attempt():
            card = cards.create_rate_card(effective_from=effective_from, rates=rates, agency_caps=caps,
                                             backdated_reason=values["backdated_reason"] or None,
                                             note=values["note"] or None, actor=g.actor)
    except DomainError as exc:
        if exc.status == 403:
            raise
        summary, cells = _card_errors(exc, from_csv=from_csv)
        return _new_form(values, typed, summary, cells, 422)
    flash(f"The rate card from {card.effective_from:%-d %B %Y} is saved.", "success")
    return redirect(url_for("rates.show", card_id=card.id))


# --- the post form's preview (htmx fragment) -------------------------------------------


def _preview_inputs(args):
    """Parsed preview inputs and a message when the shift cannot be priced yet."""
    grade = db.session.get(Grade, args.get("grade_id", type=int) or 0)
    if grade is None:
        return None, "Choose a grade to see the card rate."
    texts = {k: (args.get(k) or "").strip() for k in ("start", "end", "hourly_rate")}
    if not texts["start"] or not texts["end"]:
        return None, "Enter the start and end to see the card rate."
    try:
        start, end = parse_datetime(texts["start"]), parse_datetime(texts["end"])
    except TimeInputError as exc:
        return None, exc.message
    rate = None
    if texts["hourly_rate"]:
        try:
            rate = parse_money(texts["hourly_rate"].removeprefix("£"))
        except ValueError as exc:
            return None, str(exc)
        if rate <= 0:
            return None, FLAT_RATE_NOT_POSITIVE
    return {"grade_id": grade.id, "start": start, "end": end, "hourly_rate": rate, "grade": grade}, None


@bp.get("/rates/preview")
@page_roles(*PREVIEW_ROLES)
def preview():
    """HTML fragment for the post form: card price by band and whether a flat rate needs approval."""
    dept = db.session.get(Department, request.args.get("department_id", type=int) or 0)
    if dept is not None and not can_act_on_site(g.actor, dept.site_id, *PREVIEW_ROLES):
        abort(403)
    inputs, message = _preview_inputs(request.args)
    result = None
    if inputs is not None:
        grade = inputs.pop("grade")
        try:
            result = services.preview(**inputs)
        except DomainError as exc:
            message = next(iter((exc.errors or {}).values()), [exc.detail])[0]
        else:
            result["grade"] = grade
    return render_template("rates/_preview.html", result=result, message=message, band_labels=BAND_LABELS)

