"""Timesheet API shapes. Times in: ISO 8601 (London without an offset); out: London with offset."""
import marshmallow as ma
from marshmallow import validate

from ..fields import LondonDateTime
from ..timeutil import format_london
from .models import TIMESHEET_STATUSES
from .queries import due_cutoff, pay_of

MAX_BREAK_MINUTES = 24 * 60


BREAK_MESSAGE = "Enter the unpaid break in whole minutes, for example 30, or 0 for none."


class TimesInSchema(ma.Schema):
    actual_start = LondonDateTime(required=True, error_messages={"required": "Enter the date and time."},
                                  metadata={"example": "2026-10-24T20:00"})
    actual_end = LondonDateTime(required=True, error_messages={"required": "Enter the date and time."},
                                metadata={"example": "2026-10-25T08:00"})
    break_minutes = ma.fields.Integer(load_default=0, strict=True, error_messages={"invalid": BREAK_MESSAGE},
                                      validate=validate.Range(min=0, max=MAX_BREAK_MINUTES, error=BREAK_MESSAGE),
                                      metadata={"description": "Unpaid break, whole minutes."})
    note = ma.fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=2000, error="Keep the note under 2,000 characters."),
                            metadata={"description": "Needed when a time is more than 4 h from the booked one."})


class TimesheetCreateSchema(TimesInSchema):
    booking_id = ma.fields.Integer(required=True, strict=True)


class TimesheetAmendSchema(TimesInSchema):
    """Loaded with ``partial=True`` by ``PATCH``: a field not sent is left as it is (no default)."""


class TimesheetDecisionSchema(ma.Schema):
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                            metadata={"description": "Required to query or reject; optional to approve."})


class BulkApproveSchema(ma.Schema):
    ids = ma.fields.List(ma.fields.Integer(strict=True), required=True, validate=validate.Length(
        min=1, max=500, error="Choose between 1 and 500 timesheets."))


class BulkApprovedSchema(ma.Schema):
    approved_ids = ma.fields.List(ma.fields.Integer())
    count = ma.fields.Integer()


class TimesheetQuerySchema(ma.Schema):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(TIMESHEET_STATUSES))
    site_id = ma.fields.Integer(load_default=None)
    cursor = ma.fields.Integer(load_default=None, metadata={"description": "Opaque cursor from `next`."})
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class PayLineOutSchema(ma.Schema):
    band = ma.fields.String()
    hours = ma.fields.String(metadata={"example": "12.50"})
    rate = ma.fields.String(metadata={"example": "55.00"})
    amount = ma.fields.String(metadata={"example": "687.50"})


class PayOutSchema(ma.Schema):
    lines = ma.fields.List(ma.fields.Nested(PayLineOutSchema))
    hours = ma.fields.String()
    total = ma.fields.String()


def _pay(ts):
    return pay_of(ts)


def _due(ts):
    return format_london(due_cutoff(ts))


class TimesheetSchema(ma.Schema):
    """A timesheet; ``pay`` is null until approved, then fixed for good."""

    id = ma.fields.Integer()
    booking_id = ma.fields.Integer()
    shift_id = ma.fields.Function(lambda ts: ts.booking.shift_id)
    doctor_id = ma.fields.Integer(allow_none=True)
    site_id = ma.fields.Integer()
    status = ma.fields.String()
    actual_start = LondonDateTime()
    actual_end = LondonDateTime()
    break_minutes = ma.fields.Integer()
    note = ma.fields.String(allow_none=True)
    query_note = ma.fields.String(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)
    booked_start = ma.fields.Function(lambda ts: format_london(ts.booking.shift.start_at))
    booked_end = ma.fields.Function(lambda ts: format_london(ts.booking.shift.end_at))
    submitted_at = LondonDateTime()
    approved_at = LondonDateTime(allow_none=True)
    due_cutoff = ma.fields.Function(_due, metadata={"description": "Cut-off of the pay run it is due for."})
    late = ma.fields.Boolean(metadata={"description": "Approved after the cut-off of its pay run."})
    exported_batch_id = ma.fields.Integer(allow_none=True)
    pay = ma.fields.Function(_pay, allow_none=True, metadata={"description": "PayOut once approved, else null."})
