"""Pure timesheet rules: checking actual times, and the weekly pay-run cut-off.

No Flask, no database: plain datetimes (aware) and numbers in, plain values
out. Field problems come back as ``{field: [messages]}`` so the caller can
put each message next to its field.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from bankapp.timeutil import LONDON, UTC, elapsed_minutes, to_london, to_utc

# Worked times further than this from the booked times need a note.
MAX_DRIFT_WITHOUT_NOTE = timedelta(hours=4)
DEFAULT_CUTOFF_WEEKDAY = 0  # Monday
DEFAULT_CUTOFF_TIME = time(9)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _hours(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min" if m else f"{h} h"


def check_actual_times(*, booked_start: datetime, booked_end: datetime, actual_start: datetime,
                       actual_end: datetime, break_minutes: int, note: str | None,
                       now: datetime) -> dict[str, list[str]]:
    """Every problem with a timesheet's actual times, by field (empty when fine).

    - the actual end must be after the actual start, and not in the future;
    - a start or end more than 4 hours from the booked one needs a note;
    - the unpaid break must be shorter than the time worked.
    """
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if break_minutes < 0:
        add("break_minutes", "The break cannot be negative.")
    if actual_end <= actual_start:
        add("actual_end", "The end must be after the start.")
    if actual_end > now:
        add("actual_end", "The end cannot be in the future.")
    has_note = bool(note and note.strip())
    for field, actual, booked, what in (("actual_start", actual_start, booked_start, "start"),
                                        ("actual_end", actual_end, booked_end, "end")):
        drift = actual - booked
        if abs(drift) > MAX_DRIFT_WITHOUT_NOTE and not has_note:
            add(field, f"This {what} is {_hours(drift)} from the booked {what}. "
                       "Check it, or add a note to say why.")
    if actual_end > actual_start and break_minutes >= 0:
        worked = elapsed_minutes(actual_start, actual_end)
        if break_minutes >= worked:
            add("break_minutes", f"The break ({break_minutes} min) must be shorter than the time worked "
                                 f"({worked} min).")
    return errors


def shift_has_ended(booked_end: datetime, now: datetime) -> bool:
    return to_utc(now) >= to_utc(booked_end)


def is_unchanged(*, booked_start: datetime, booked_end: datetime, actual_start: datetime,
                 actual_end: datetime, break_minutes: int) -> bool:
    """Worked exactly as booked with no break: safe to approve in bulk."""
    return (to_utc(actual_start) == to_utc(booked_start) and to_utc(actual_end) == to_utc(booked_end)
            and break_minutes == 0)


def parse_cutoff_time(text: str | time) -> time:
    """ "09:00" → time(9, 0)."""
    if isinstance(text, time):
        return text
    hours, _, minutes = str(text).strip().partition(":")
    return time(int(hours), int(minutes or 0))


def next_cutoff(after: datetime, *, weekday: int = DEFAULT_CUTOFF_WEEKDAY,
                at: time = DEFAULT_CUTOFF_TIME) -> datetime:
    """The first pay-run cut-off strictly after ``after`` (aware UTC).

    The cut-off is a London wall-clock time on one weekday each week
    (Monday 09:00 by default), so it stays at 09:00 on both sides of a clock
    change: 08:00 UTC in summer, 09:00 UTC in winter.
    """
    local = to_london(after)
    days_ahead = (weekday - local.weekday()) % 7
    day = local.date() + timedelta(days=days_ahead)
    while True:
        candidate = datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)
        if candidate > to_utc(after):
            return candidate
        day += timedelta(days=7)


def due_cutoff(submitted_at: datetime, **kw) -> datetime:
    """The cut-off of the pay run a timesheet submitted at ``submitted_at`` is due for."""
    return next_cutoff(submitted_at, **kw)


def is_late(*, submitted_at: datetime, approved_at: datetime, **kw) -> bool:
    """Approved after the cut-off of the pay run it was due for (so paid a week later)."""
    return to_utc(approved_at) > due_cutoff(submitted_at, **kw)


def misses_cutoff(*, submitted_at: datetime, now: datetime, **kw) -> bool:
    """Still waiting at ``now`` although its pay run's cut-off has passed."""
    return to_utc(now) > due_cutoff(submitted_at, **kw)


def describe_cutoff(weekday: int, at: time) -> str:
    return f"{WEEKDAYS[weekday]} {at.strftime('%H:%M')}"
