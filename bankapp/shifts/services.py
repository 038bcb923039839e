"""Shift marketplace workflows: post, cancel and re-open (claiming and assigning: ``booking.py``).

Services never commit: the request (or job, or CLI) commits once at the edge.
Every state change writes an audit event in the same transaction and emits a
domain event (see ``bankapp/events.py``) so that SMS alerts land in the outbox
atomically with the change.
"""
import logging
from datetime import timedelta

from ..audit.services import record_audit
from ..auth.permissions import can_act_on_site
from ..errors import Conflict, Forbidden, RuleRefused, ValidationFailed
from ..extensions import db
from ..org.policies import policy_for
from ..rates.services import card_in_force
from ..timeutil import TimeInputError, now_utc, parse_datetime, to_london
from . import lifecycle, rate_approval
from .locking import lock_doctor, lock_shift
from .models import Booking, Shift

log = logging.getLogger(__name__)

COORDINATOR_ROLES = ("coordinator", "admin")
MAX_SHIFT = timedelta(hours=24)


def require_coordinator(actor, site_id):
    """Coordinators (and admins) act only on shifts of their sites."""
    if actor is None or not actor.has_role(*COORDINATOR_ROLES) or not can_act_on_site(actor, site_id,
                                                                                      *COORDINATOR_ROLES):
        raise Forbidden("You do not coordinate shifts at this site.")


# --- posting ---------------------------------------------------------------------


def check_shift_times(start, end, *, retrospective=False, now=None) -> dict:
    """Field errors for a shift's times: end after start, at most 24 h, past only if retrospective."""
    errors = {}
    if start is None:
        errors["start"] = ["Enter the start date and time."]
    if end is None:
        errors["end"] = ["Enter the end date and time."]
    if start is not None and end is not None:
        if end <= start:
            errors["end"] = ["The end must be after the start."]
        elif end - start > MAX_SHIFT:
            errors["end"] = ["A shift can last at most 24 hours."]
    if start is not None and start < (now or now_utc()) and not retrospective:
        errors["start"] = ["This start is in the past. To post a shift that has already started, "
                           "mark it as retrospective."]
    return errors


def validate_new_shift(*, actor, department, grade, start, end, retrospective=False) -> dict:
    """Field errors of a shift about to be posted ({} when it may be posted)."""
    errors = check_shift_times(start, end, retrospective=retrospective, now=now_utc())
    if department is None:
        errors.setdefault("department_id", []).append("Choose a department.")
    if grade is None:
        errors.setdefault("grade", []).append("Choose a grade.")
    if "start" not in errors and start is not None and card_in_force(start) is None:
        errors.setdefault("start", []).append("No rate card is in force on this date, so the shift cannot be "
                                              "priced. Ask an administrator to publish one.")
    return errors


def post_shift(*, actor, department, grade, start, end, hourly_rate=None, reason=None, retrospective=False) -> Shift:
    """Post one shift. A flat rate above the card holds it for rate approval.

    ``start``/``end`` are aware datetimes. A shift that starts in the past needs
    ``retrospective=True`` (it is posted to book someone after the fact, so no
    alert goes out for it).
    """
    if department is not None:
        require_coordinator(actor, department.site_id)
    errors = validate_new_shift(actor=actor, department=department, grade=grade, start=start, end=end,
                                retrospective=retrospective)
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors=errors)
    shift = Shift(site_id=department.site_id, department_id=department.id, grade_id=grade.id, start_at=start,
                  end_at=end, hourly_rate=hourly_rate, reason=(reason or "").strip() or None,
                  retrospective=bool(retrospective), posted_by_id=actor.id)
    over_card = rate_approval.price_against_card(shift)
    lifecycle.post(shift, actor=actor, held=over_card is not None)
    if over_card is not None:
        rate_approval.open_violation(shift, *over_card, actor=actor, reason=shift.reason)
    log.info("shift %s posted (%s)", shift.id, shift.status)
    return shift


def weekly_starts(start, end, weeks):
    """(start, end) pairs for the same London wall-clock times on ``weeks`` weeks.

    Raises TimeInputError when a week's time does not exist or is ambiguous.
    """
    local_start, local_end = to_london(start).replace(tzinfo=None), to_london(end).replace(tzinfo=None)
    pairs = []
    for week in range(weeks):
        delta = timedelta(weeks=week)
        pairs.append((parse_datetime(local_start + delta), parse_datetime(local_end + delta)))
    return pairs


def post_weekly(*, actor, department, grade, start, end, weeks, hourly_rate=None, reason=None,
                retrospective=False) -> list[Shift]:
    """The same shift every week for ``weeks`` weeks (London wall-clock times), all or nothing."""
    try:
        pairs = weekly_starts(start, end, weeks)
    except TimeInputError as exc:
        raise ValidationFailed("One of the weekly repeats falls on a clock change.",
                               errors={"repeat_weeks": [exc.message]}) from None
    return [post_shift(actor=actor, department=department, grade=grade, start=s, end=e, hourly_rate=hourly_rate,
                       reason=reason, retrospective=retrospective) for s, e in pairs]


# validate_new_shift's field → the rota column it is about.
ROTA_COLUMNS = {"department_id": "department"}


def rota_errors(rows, *, actor) -> dict:
    """Every problem of each rota row, keyed ``line N`` (rows carry their ``line``).

    A row may come with ``problems`` already found while reading it (an unknown
    grade, a time that does not exist): the rules then judge what could be
    read, and a column already reported is not reported twice.
    """
    errors = {}
    for row in rows:
        problems = list(row.get("problems", ()))
        reported = {problem.split(":", 1)[0] for problem in problems}
        department = row.get("department")
        if department is not None and not may_coordinate(actor, department.site_id):
            problems.append("department: you do not coordinate shifts at this site.")
        found = validate_new_shift(actor=actor, department=department, grade=row.get("grade"), start=row.get("start"),
                                   end=row.get("end"), retrospective=row.get("retrospective", False))
        problems += [f"{ROTA_COLUMNS.get(field, field)}: {message}" for field, messages in found.items()
                     if ROTA_COLUMNS.get(field, field) not in reported for message in messages]
        if problems:
            errors[f"line {row['line']}"] = problems
    return errors


def post_rota(rows, *, actor) -> list[Shift]:
    """Post many shifts at once, all or nothing.

    ``rows``: dicts with department, grade (objects), start, end, hourly_rate,
    reason and ``line`` (the line number to report). Every row is checked
    before any is posted; errors come back keyed ``line N``.
    """
    errors = rota_errors(rows, actor=actor)
    if errors:
        raise ValidationFailed(f"{len(errors)} line(s) are not valid; nothing was imported.", errors=errors)
    shifts = [post_shift(actor=actor, department=row["department"], grade=row["grade"], start=row["start"],
                         end=row["end"], hourly_rate=row.get("hourly_rate"), reason=row.get("reason"),
                         retrospective=row.get("retrospective", False)) for row in rows]
    record_audit("rota.imported", "shift", shifts[0].id if shifts else "-", actor=actor,
                 after={"shift_ids": [s.id for s in shifts]})
    return shifts


def may_coordinate(actor, site_id):
    return actor is not None and actor.has_role(*COORDINATOR_ROLES) and can_act_on_site(actor, site_id,
                                                                                       *COORDINATOR_ROLES)


# --- locking, cancelling and re-opening ------------------------------------------------------


def cancel_cutoff(site) -> timedelta:
    """How long before the start a doctor may still cancel online, by the site's policy (a Site or its id)."""
    return timedelta(hours=policy_for(site).doctor_cancel_cutoff_hours)


def cancel_by(shift, now=None):
    """The last instant a doctor booked on ``shift`` may cancel it themselves, or None once that has passed.

    Also the claim's warning: a claim made when this is None is inside the site's cut-off.
    """
    deadline = shift.start_at - cancel_cutoff(shift.site)
    return deadline if (now or now_utc()) <= deadline else None


def call_staffing(site) -> str:
    """Who to call about a booking that can no longer be cancelled online: the site's medical staffing."""
    if site.staffing_phone:
        return f"call {site.name} medical staffing on {site.staffing_phone}"
    return f"call {site.name} medical staffing"


def cutoff_message(shift) -> str:
    """What a doctor is told inside the site's cut-off (before claiming, after it, and when cancelling)."""
    hours = int(cancel_cutoff(shift.site).total_seconds() // 3600)
    return (f"Shifts at {shift.site.name} can be cancelled online up to {hours} hours before they start. "
            f"If you cannot work it, {call_staffing(shift.site)}.")


def doctor_may_cancel(booking, now=None) -> bool:
    """A doctor may cancel their own booking up to the cut-off before the start."""
    return booking.status == "booked" and cancel_by(booking.shift, now) is not None


def cancel_shift(shift, *, actor, reason) -> Shift:
    """The trust cancels a shift (reason required); a live booking on it is cancelled too."""
    require_coordinator(actor, shift.site_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give a reason.", errors={"reason": ["Say why the shift is cancelled."]})
    return lifecycle.cancel(lock_shift(shift.id), actor=actor, reason=reason, now=now_utc())


def cancel_booking(booking, *, actor, reason=None) -> Booking:
    """Cancel a booking and put the shift back on the board (re-advertised).

    The booked doctor may do so until the site's cancel cut-off before the start
    (48 h by default); after that only a coordinator of the site can (reason required).
    """
    is_own = actor is not None and booking.doctor_id == actor.id
    is_coordinator = actor is not None and may_coordinate(actor, booking.shift.site_id)
    if not is_own and not is_coordinator:
        raise Forbidden("You cannot cancel this booking.")
    if booking.doctor_id is not None:
        lock_doctor(booking.doctor_id)
    shift = lock_shift(booking.shift_id)
    db.session.refresh(booking)
    if booking.status != "booked":
        raise Conflict("This booking is already cancelled." if booking.status == "cancelled"
                       else "This shift has already been worked.")
    reason = (reason or "").strip()
    if not is_coordinator:
        if not doctor_may_cancel(booking):
            raise RuleRefused("It is too late to cancel this shift yourself.", reasons=[{
                "code": "cancel_cutoff_passed", "message": cutoff_message(shift)}])
    elif not reason:
        raise ValidationFailed("Give a reason.", errors={"reason": ["Say why the booking is cancelled."]})
    return lifecycle.unbook(booking, shift, actor=actor, reason=reason, now=now_utc())


def reopen_shift(shift, *, actor) -> Shift:
    """Put a cancelled shift back on the board.

    A flat-rate shift without an approved rate violation is priced against the
    card again, so re-opening never skips the rate approval.
    """
    require_coordinator(actor, shift.site_id)
    shift = lock_shift(shift.id)
    if shift.status != "cancelled":
        raise Conflict("Only a cancelled shift can be re-opened.")
    if shift.start_at <= now_utc():
        raise Conflict("This shift has already started, so it cannot be re-opened.")
    over_card = None if rate_approval.has_approved_rate(shift) else rate_approval.price_against_card(shift)
    lifecycle.reopen(shift, actor=actor, held=over_card is not None)
    if over_card is not None:
        rate_approval.open_violation(shift, *over_card, actor=actor, reason=shift.reason)
    return shift
