"""Shift and booking JSON (contract "Shifts" and "Formats")."""
from datetime import date, datetime, time, timedelta

import marshmallow as ma
from flask import g, has_app_context
from marshmallow import validate

from ..fields import FLAT_RATE_NOT_POSITIVE, LondonDateTime, Money
from ..money import hours_str, money_str
from ..timeutil import LONDON, TimeInputError, elapsed_minutes, format_london, parse_datetime, spans_clock_change
from .models import SHIFT_STATUSES
from .pricing import estimate_pay, estimate_pays
from .queries import latest_violation, latest_violations
from .services import cancel_by


class DateOrDateTime(ma.fields.Field):
    """A date (whole London day) or a date and time; see ShiftQuerySchema."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        if len(text) == 10:
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise ma.ValidationError("Give a date like 2026-12-01 or a date and time.") from None
        try:
            return parse_datetime(text)
        except TimeInputError as exc:
            raise ma.ValidationError(exc.message) from None


def london_midnight(day: date) -> datetime:
    """Midnight in London always exists once (the clocks change at 01:00/02:00)."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def range_bounds(from_, to):
    """``from``/``to`` as instants: a date ``from`` is its midnight, a date ``to`` includes that whole day."""
    if isinstance(from_, date) and not isinstance(from_, datetime):
        from_ = london_midnight(from_)
    if isinstance(to, date) and not isinstance(to, datetime):
        to = london_midnight(to + timedelta(days=1))
    return from_, to


class ShiftCreateSchema(ma.Schema):
    department_id = ma.fields.Integer(required=True, error_messages={"required": "Choose a department."})
    grade = ma.fields.String(required=True, error_messages={"required": "Choose a grade."},
                             metadata={"description": "Grade code, e.g. ST3."})
    start = LondonDateTime(required=True, error_messages={"required": "Enter the start date and time."},
                           metadata={"description": "ISO 8601; without an offset, London time."})
    end = LondonDateTime(required=True, error_messages={"required": "Enter the end date and time."},
                         metadata={"description": "After start, at most 24 h later."})
    hourly_rate = Money(load_default=None, allow_none=True, positive=True, not_positive=FLAT_RATE_NOT_POSITIVE,
                        metadata={"description": "Flat £/h as a string. Omit to pay card rates per band."})
    reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    retrospective = ma.fields.Boolean(load_default=False,
                                      metadata={"description": "Required (true) when the shift starts in the past."})


NOTES_MAX = 2000


class ShiftEditSchema(ma.Schema):
    """PATCH: only the fields sent change. Times, rate and grade while open or awaiting rate approval; notes
    until the shift is worked."""

    start = LondonDateTime(metadata={"description": "ISO 8601; without an offset, London time."})
    end = LondonDateTime(metadata={"description": "After start, at most 24 h later."})
    hourly_rate = Money(allow_none=True, positive=True, not_positive=FLAT_RATE_NOT_POSITIVE,
                        metadata={"description": "Flat £/h as a string; null pays card rates per band."})
    grade = ma.fields.String(metadata={"description": "Grade code, e.g. ST3."})
    notes = ma.fields.String(allow_none=True, validate=validate.Length(max=NOTES_MAX),
                             metadata={"description": "What the doctor on the shift should know; the booked "
                                                      "doctor is texted when it changes. null or empty removes it."})
    reason = ma.fields.String(allow_none=True, validate=validate.Length(max=2000),
                              metadata={"description": "Why the shift (or its rate) is needed; goes with a new "
                                                       "rate violation."})


class ShiftEditFormSchema(ShiftEditSchema):
    """The edit page: the API's fields and messages, the grade chosen by id, times always shown."""

    class Meta:
        exclude = ("grade",)

    grade_id = ma.fields.Integer(required=True, error_messages={"required": "Choose a grade."})
    start = LondonDateTime(required=True, error_messages={"required": "Enter the start date and time."})
    end = LondonDateTime(required=True, error_messages={"required": "Enter the end date and time."})


MAX_REPEAT_WEEKS = 26


class ShiftFormSchema(ShiftCreateSchema):
    """The post page: the API's fields and messages, the grade chosen by id, and weekly repeats."""

    class Meta:
        exclude = ("grade",)

    grade_id = ma.fields.Integer(required=True, error_messages={"required": "Choose a grade."})
    repeat_weeks = ma.fields.Integer(load_default=1, validate=validate.Range(
        min=1, max=MAX_REPEAT_WEEKS, error=f"Enter a number of weeks from 1 to {MAX_REPEAT_WEEKS}."))


class ShiftQuerySchema(ma.Schema):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(SHIFT_STATUSES))
    site_id = ma.fields.Integer(load_default=None)
    department_id = ma.fields.Integer(load_default=None)
    grade = ma.fields.String(load_default=None, metadata={"description": "Grade code."})
    from_ = DateOrDateTime(data_key="from", load_default=None,
                           metadata={"description": "Shifts starting at or after this (a date means its London "
                                                    "midnight)."})
    to = DateOrDateTime(load_default=None, metadata={"description": "Shifts starting before this (a date includes "
                                                                    "the whole day)."})
    eligible = ma.fields.Boolean(load_default=False, metadata={
        "description": "true: only shifts the caller could claim now (a doctor; `can_claim` is true on each). "
                       "Paging stays by id: `next` continues after the last shift listed."})
    cursor = ma.fields.Integer(load_default=None)
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


PRIMED = "primed_shift_details"
PRIMED_REASONS = "primed_claim_reasons"


def prime(shifts, *, reasons=None) -> None:
    """Load what ShiftSchema needs for a page of shifts at once: pay estimates and rate violations.

    A constant number of queries whatever the page size, instead of several per
    shift. Kept in ``g`` for the serialisation that follows; ``forget_primed``
    (a teardown of the API blueprint) drops it when the request ends.
    ``reasons`` (shift id → what a claim by the caller would answer, from
    ``shifts.eligibility``): given for a doctor, each shift then carries
    ``can_claim`` and ``reasons``.
    """
    shifts = list(shifts)
    estimates = estimate_pays(shifts)
    violations = latest_violations([s.id for s in shifts])
    g.setdefault(PRIMED, {}).update({s.id: (estimates.get(s.id), violations.get(s.id)) for s in shifts})
    if reasons is not None:
        g.setdefault(PRIMED_REASONS, {}).update(reasons)


def forget_primed(_exc=None) -> None:
    g.pop(PRIMED, None)
    g.pop(PRIMED_REASONS, None)


def _primed(shift):
    return g.get(PRIMED, {}).get(shift.id) if has_app_context() else None


def _claim_reasons(shift):
    """The primed reasons of a claim by the caller (a doctor), or None when there are none to show."""
    return g.get(PRIMED_REASONS, {}).get(shift.id) if has_app_context() else None


def _can_claim(shift):
    reasons = _claim_reasons(shift)
    return ma.missing if reasons is None else not reasons


def _reasons(shift):
    reasons = _claim_reasons(shift)
    return ma.missing if reasons is None else [r.as_dict() for r in reasons]


def _pay_estimate(shift):
    primed = _primed(shift)
    breakdown = primed[0] if primed is not None else estimate_pay(shift)
    return breakdown.as_dict() if breakdown is not None else None


def _rate_violation(shift):
    primed = _primed(shift)
    v = primed[1] if primed is not None else latest_violation(shift)
    if v is None:
        return None
    return {"id": v.id, "percent_over": money_str(v.percent_over), "required_role": v.required_role,
            "status": v.status}


class ShiftSchema(ma.Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    department_id = ma.fields.Integer()
    grade = ma.fields.Function(lambda s: s.grade.code)
    start = LondonDateTime(attribute="start_at")
    end = LondonDateTime(attribute="end_at")
    hours = ma.fields.Function(lambda s: hours_str(elapsed_minutes(s.start_at, s.end_at)),
                               metadata={"description": "Real elapsed hours (13.00 for the October 20:00-08:00)."})
    status = ma.fields.String()
    hourly_rate = Money(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    notes = ma.fields.String(allow_none=True)
    retrospective = ma.fields.Boolean()
    clock_change = ma.fields.Function(lambda s: spans_clock_change(s.start_at, s.end_at),
                                      metadata={"description": '"back", "forward" or null.'})
    pay_estimate = ma.fields.Function(_pay_estimate, metadata={"description": "{lines: [{band, hours, rate, amount}],"
                                                                              " hours, total}: the flat rate, else the"
                                                                              " card in force at the start (also one"
                                                                              " published after the booking); null"
                                                                              " without a card."})
    rate_violation = ma.fields.Function(_rate_violation, metadata={"description": "{id, percent_over, required_role,"
                                                                                  " status} or null."})
    can_claim = ma.fields.Function(_can_claim, metadata={
        "type": "boolean", "description": "Doctors only: would a claim by the caller book this shift now?"})
    reasons = ma.fields.Function(_reasons, metadata={
        "type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"},
                                                                    "message": {"type": "string"}}},
        "description": "Doctors only: every reason a claim would be refused now ([] when `can_claim`), with the "
                       "claim's codes and messages; `not_available` when the shift cannot be booked at all "
                       "(booked, cancelled, awaiting rate approval, started)."})


def _cancel_by(booking):
    """The last instant the booked doctor may cancel this booking themselves; null when that has passed."""
    if booking.status != "booked" or booking.doctor_id is None:
        return None
    deadline = cancel_by(booking.shift)
    return format_london(deadline) if deadline is not None else None


class BookingSchema(ma.Schema):
    id = ma.fields.Integer()
    shift_id = ma.fields.Integer()
    doctor_id = ma.fields.Integer(allow_none=True)
    source = ma.fields.String()
    status = ma.fields.String()
    cancel_by = ma.fields.Function(_cancel_by, metadata={
        "type": "string", "nullable": True,
        "description": "London time with offset: until then the doctor may cancel the booking themselves (the "
                       "site's doctor_cancel_cutoff_hours before the start). null when that has passed, e.g. a "
                       "booking made inside the cut-off, or for an agency locum."})


class BookingDetailSchema(BookingSchema):
    shift = ma.fields.Nested(ShiftSchema)


class AssignSchema(ma.Schema):
    doctor_id = ma.fields.Integer(required=True, error_messages={"required": "Choose a doctor."})
    override_reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                                       metadata={"description": "Overrides working-time reasons only; recorded "
                                                                "as a wtr_override breach."})


class CancelSchema(ma.Schema):
    reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                              metadata={"description": "Required from a coordinator; optional for the doctor."})


class BookingQuerySchema(ma.Schema):
    when = ma.fields.String(load_default=None, validate=validate.OneOf(("upcoming", "past")))
    cursor = ma.fields.Integer(load_default=None)
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CandidateQuerySchema(ma.Schema):
    q = ma.fields.String(load_default=None, validate=validate.Length(max=100),
                         metadata={"description": "Part of the doctor's name or GMC number."})
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class LastWorkedSchema(ma.Schema):
    start = LondonDateTime()
    site = ma.fields.String(allow_none=True)


class CandidateSchema(ma.Schema):
    doctor_id = ma.fields.Function(lambda c: c.doctor.id)
    name = ma.fields.Function(lambda c: c.doctor.name)
    grade = ma.fields.Function(lambda c: c.grade_code, metadata={"type": "string", "nullable": True})
    gmc_number = ma.fields.Function(lambda c: c.gmc_number, metadata={"type": "string", "nullable": True})
    home_site = ma.fields.String(allow_none=True, metadata={
        "description": "Where they have worked most; without any shift worked, their one site if they have one."})
    last_worked = ma.fields.Function(
        lambda c: LastWorkedSchema().dump({"start": c.last_worked, "site": c.last_worked_site})
        if c.last_worked else None,
        metadata={"type": "object", "nullable": True, "description": "{start, site} of the last shift they worked."})
    can_assign = ma.fields.Boolean(metadata={"description": "An assignment would book them now."})
    can_override = ma.fields.Boolean(metadata={
        "description": "Only working-time reasons stand in the way: an assignment with `override_reason` books them "
                       "(a wtr_override breach)."})
    reasons = ma.fields.Function(lambda c: [r.as_dict() for r in c.reasons], metadata={
        "type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"},
                                                                    "message": {"type": "string"}}},
        "description": "What an assignment would answer now, about the doctor by name."})


class InviteSchema(ma.Schema):
    message = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=300, error="Keep the note to 300 characters."), metadata={
        "description": "A short note put at the start of the text."})


class InvitedSchema(ma.Schema):
    queued = ma.fields.Integer(metadata={"description": "Texts queued now."})
    send_after = LondonDateTime(metadata={"description": "When they go: now, or when quiet hours end."})
