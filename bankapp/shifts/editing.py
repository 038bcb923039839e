"""Editing a posted shift: its terms (times, rate, grade) until somebody is booked, its notes until it is worked.

A coordinator of the site changes only what they send. The terms can change
while the shift is ``open`` or ``pending_rate_approval``: the rate check runs
again (``rate_approval.reassess``), so a change that takes it above the card
holds it for a new approval and a change back within the card opens it.
Once a doctor or locum is booked (or agencies have it) only the notes change,
and the booked doctor is texted about them (``shift.changed`` →
``notifications/subscribers.py``). Every edit is one ``shift.edited`` audit
event with the fields before and after.
"""
import logging

from ..audit.services import record_audit
from ..errors import Conflict, ValidationFailed
from ..events import emit
from ..extensions import db
from ..rates.services import card_in_force
from . import lifecycle, rate_approval
from .locking import lock_shift
from .models import Shift
from .services import check_shift_times, require_coordinator

log = logging.getLogger(__name__)

TERMS = ("start", "end", "hourly_rate", "grade")
EDITABLE = ("notes", "reason", *TERMS)
TERMS_EDITABLE_IN = ("open", lifecycle.HELD)
NOTES_EDITABLE_IN = ("open", lifecycle.HELD, "released_tier1", "released_tier2", "booked")
ATTRIBUTES = {"start": "start_at", "end": "end_at", "hourly_rate": "hourly_rate", "grade": "grade",
              "notes": "notes", "reason": "reason"}


def current_values(shift) -> dict:
    """The editable fields of a shift as the edit compares them."""
    return {field: getattr(shift, attribute) for field, attribute in ATTRIBUTES.items()}


def _clean_text(value):
    return (value or "").strip() or None


def changed_fields(shift, changes: dict) -> dict:
    """The fields of ``changes`` whose value differs from the shift's (texts trimmed, empty → None)."""
    now = current_values(shift)
    wanted = {}
    for field, value in changes.items():
        if field not in EDITABLE:
            continue
        if field in ("notes", "reason"):
            value = _clean_text(value)
        if value != now[field]:
            wanted[field] = value
    return wanted


def _refuse_by_status(shift, wanted):
    terms = [f for f in wanted if f in TERMS]
    if terms and shift.status not in TERMS_EDITABLE_IN:
        if shift.status in NOTES_EDITABLE_IN:
            raise Conflict("Once a shift is booked or with agencies, only its notes can change. "
                           "To change its times, rate or grade, cancel it and post it again.")
        raise Conflict(closed_message(shift))
    if shift.status not in NOTES_EDITABLE_IN:
        raise Conflict(closed_message(shift))


def closed_message(shift) -> str:
    return ("This shift has been cancelled, so it cannot be changed." if shift.status == "cancelled"
            else "This shift has already been worked, so it cannot be changed.")


def _field_errors(shift, wanted) -> dict:
    """Field errors of the shift as it would be after the edit ({} when it may be saved)."""
    start, end = wanted.get("start", shift.start_at), wanted.get("end", shift.end_at)
    # A start left as it was is not refused for being past; a new one is, unless the shift is retrospective.
    errors = check_shift_times(start, end, retrospective=shift.retrospective or "start" not in wanted)
    if "start" in wanted and "start" not in errors and card_in_force(start) is None:
        errors["start"] = ["No rate card is in force on this date, so the shift cannot be priced. "
                           "Ask an administrator to publish one."]
    if "grade" in wanted and wanted["grade"] is None:
        errors["grade"] = ["Choose a grade."]
    return errors


def _audit_value(field, value):
    return value.code if field == "grade" and value is not None else value


def edit_shift(shift, *, actor, changes: dict) -> Shift:
    """Apply ``changes`` (any of start, end, hourly_rate, grade: a Grade, notes, reason) to the shift.

    Fields not in ``changes`` are left alone; fields sent with the value they
    already have change nothing. Returns the shift (re-read under its lock).
    """
    require_coordinator(actor, shift.site_id)
    shift = lock_shift(shift.id)
    wanted = changed_fields(shift, changes)
    if not wanted:
        return shift
    _refuse_by_status(shift, wanted)
    errors = _field_errors(shift, wanted)
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors=errors)
    before = {field: _audit_value(field, getattr(shift, ATTRIBUTES[field])) for field in wanted}
    for field, value in wanted.items():
        setattr(shift, ATTRIBUTES[field], value)
    if "grade" in wanted:
        shift.grade_id = wanted["grade"].id
    db.session.flush()
    record_audit("shift.edited", "shift", shift.id, actor=actor, before=before,
                 after={field: _audit_value(field, value) for field, value in wanted.items()})
    if any(field in TERMS for field in wanted):
        rate_approval.reassess(shift, actor=actor, reason=shift.reason)
    emit("shift.changed", shift=shift, before=before, changed=sorted(wanted), actor=actor)
    log.info("shift %s edited: %s", shift.id, ", ".join(sorted(wanted)))
    return shift
