"""The coordinator's "Change this shift" page: times, rate, grade and notes, read through the API's schema.

Registered on the ``shifts`` blueprint by ``views.py``. The rules are
``editing.py``'s; a booked shift (or one with agencies) shows its terms and
offers only the notes.
"""
from flask import abort, flash, g, redirect, render_template, request, url_for

from ..auth.permissions import page_roles
from ..errors import Conflict, DomainError
from ..extensions import db
from ..forms import domain_errors, load_form
from ..org.models import Grade
from ..org.services import all_grades
from ..timeutil import to_london
from ..transactions import attempt
from . import editing, services
from .models import Shift
from .pages import bp
from .schemas import ShiftEditFormSchema

COORDINATORS = ("coordinator", "admin")
CLEARABLE = ("hourly_rate", "notes", "reason")  # an emptied box means "none": card rates, no note, no reason


def _local(dt) -> str:
    return to_london(dt).strftime("%Y-%m-%dT%H:%M")


def shown_values(shift) -> dict:
    """The form's boxes as the shift stands."""
    return {"start": _local(shift.start_at), "end": _local(shift.end_at), "grade_id": str(shift.grade_id),
            "hourly_rate": "" if shift.hourly_rate is None else f"{shift.hourly_rate:.2f}",
            "notes": shift.notes or "", "reason": shift.reason or ""}


def _editable_or_404(shift_id) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None or not services.may_coordinate(g.actor, shift.site_id):
        abort(404)
    return shift


def terms_editable(shift) -> bool:
    return shift.status in editing.TERMS_EDITABLE_IN


def _changes_from_form(shift, form) -> tuple[dict, dict]:
    """(changes for ``editing.edit_shift``, field errors) from the posted form.

    A time box left as it was shown keeps the shift's exact instant (an hour
    that happens twice in October stays the one it was).
    """
    shown = shown_values(shift)
    if not terms_editable(shift):
        return {"notes": form.get("notes", "")}, {}
    values, errors = load_form(ShiftEditFormSchema(), form)
    if errors:
        return {}, errors
    changes = {key: values.get(key) for key in ("start", "end", "hourly_rate", "notes", "reason")}
    for key in ("start", "end"):
        if (form.get(key) or "").strip() == shown[key]:
            del changes[key]
    changes["grade"] = db.session.get(Grade, values["grade_id"])
    if changes["grade"] is None:
        return {}, {"grade_id": ["Choose a grade."]}
    for key in CLEARABLE:
        if key not in values:
            changes[key] = None
    return changes, {}


def _page(shift, values, errors, status=200):
    return render_template("shifts/edit.html", shift=shift, values=values, errors=errors, grades=all_grades(),
                           terms_editable=terms_editable(shift)), status


@bp.route("/coordinator/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
@page_roles(*COORDINATORS)
def edit(shift_id):
    shift = _editable_or_404(shift_id)
    if shift.status not in editing.NOTES_EDITABLE_IN:
        flash(editing.closed_message(shift), "error")
        return redirect(url_for("shifts.manage", shift_id=shift.id))
    if request.method == "GET":
        return _page(shift, shown_values(shift), {})
    values = {key: request.form.get(key, "") for key in shown_values(shift)}
    changes, errors = _changes_from_form(shift, request.form)
    if not errors and not editing.changed_fields(shift, changes):
        flash("Nothing was changed.", "success")
        return redirect(url_for("shifts.manage", shift_id=shift.id))
    if not errors:
        try:
            with attempt():
                was = shift.status
                shift = editing.edit_shift(shift, actor=g.actor, changes=changes)
        except Conflict as exc:
            flash(exc.detail, "error")
            return redirect(url_for("shifts.manage", shift_id=shift_id))
        except DomainError as exc:
            errors = {("grade_id" if k == "grade" else k): v for k, v in domain_errors(exc).items()}
        else:
            flash(_saved_message(was, shift), "success")
            return redirect(url_for("shifts.manage", shift_id=shift.id))
    return _page(_editable_or_404(shift_id), values, errors, 422)


def _saved_message(was, shift) -> str:
    if shift.status == "pending_rate_approval":
        return "Shift changed. Its rate is above the card, so it waits for approval before doctors can book it."
    if was == "pending_rate_approval" and shift.status == "open":
        return "Shift changed. Its rate is within the card, so it is open to bank doctors."
    if shift.status == "booked":
        return "Notes saved. The booked doctor is texted the new note if they accept texts."
    return "Shift changed."
