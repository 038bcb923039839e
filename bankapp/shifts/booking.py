"""Booking a shift: a doctor's claim and a coordinator's assignment, with the claim checks.

Race safety of a booking (claim or assign): one transaction locks the doctor,
then the shift (the order ``locking.py`` writes down), re-reads both, runs
the claim checks against the doctor's live bookings at every site and books
through ``lifecycle.book`` (the one booking insert).
"""
import logging

from ..audit.services import record_audit, record_breach
from ..errors import Conflict, Forbidden, NotFound, RuleRefused, ValidationFailed
from ..extensions import db
from ..timeutil import now_utc
from . import lifecycle, rules
from .eligibility import claim_reasons, unavailable
from .locking import lock_for_booking, locked_shift
from .models import Shift
from .services import require_coordinator
from .working_time import Voice

log = logging.getLogger(__name__)


def ensure_claimable(shift, *, allow_started=False):
    """409 unless the shift can take a booking now (bank first: released shifts still can)."""
    problem = unavailable(shift, now_utc(), allow_started=allow_started)
    if problem:
        raise Conflict(problem)


def claim_shift(shift_id, *, doctor):
    """A bank doctor books an available shift for themselves (see module docstring).

    Cheap on purpose (claim storms): both locks in one statement, then a 409
    before anything else is read when the shift is gone; otherwise the shift,
    the bookings around it, the documents and the writes. ``doctor`` comes with
    its roles, sites and profile loaded (``auth.services.find_live_token``).
    """
    if doctor is None or not doctor.has_role("doctor"):
        raise Forbidden("Only bank doctors can claim shifts.")
    ensure_claimable(lock_for_booking(doctor.id, shift_id))
    shift = locked_shift(shift_id)
    reasons = claim_reasons(doctor, shift)
    if reasons:
        raise RuleRefused("You cannot take this shift.", reasons=reasons)
    return _book(shift, doctor, actor=doctor)


def assign_shift(shift_id, *, doctor, actor, override_reason=None):
    """A coordinator books a doctor directly, with the same checks.

    Working-time reasons (and only those) give way to a written
    ``override_reason``; the override is recorded as a ``wtr_override``
    breach. Grade, site, compliance and overlap never give way. A shift that
    has started may be assigned (retrospective bookings). The reasons name the
    doctor ("Dr Amy Shah's DBS check…"): the coordinator reads them.
    """
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        raise NotFound("No such shift.")
    require_coordinator(actor, shift.site_id)
    if doctor is None or not doctor.has_role("doctor"):
        raise ValidationFailed("Choose a bank doctor.", errors={"doctor_id": ["This person is not a bank doctor."]})
    ensure_claimable(lock_for_booking(doctor.id, shift_id), allow_started=True)
    shift = locked_shift(shift_id)
    reasons = claim_reasons(doctor, shift, voice=Voice(doctor.name))  # the coordinator reads about the doctor
    override = (override_reason or "").strip() or None
    if reasons and not (override and rules.overridable(reasons)):
        detail = ("Only working-time reasons can be overridden; the others must be resolved first."
                  if override else "The doctor cannot take this shift.")
        raise RuleRefused(detail, reasons=reasons)
    booking = _book(shift, doctor, actor=actor, override_reason=override if reasons else None)
    if reasons:
        codes = [r.code for r in reasons]
        record_breach("wtr_override", site_id=shift.site_id, shift_id=shift.id, approved_by=actor,
                      reason=override, source_type="booking", source_id=booking.id)
        record_audit("booking.wtr_override", "booking", booking.id, actor=actor,
                     after={"reasons": codes, "override_reason": override, "doctor_id": doctor.id})
    return booking


def _book(shift, doctor, *, actor, override_reason=None):
    """Book through the lifecycle. Nothing about the price is pinned: the card in force at the start prices it."""
    return lifecycle.book(shift, actor=actor, doctor=doctor, override_reason=override_reason)
