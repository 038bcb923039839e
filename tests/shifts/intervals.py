"""Intervals in London wall-clock time for the claim-check tests (tests/shifts/test_rules.py, test_working_time.py).

Unless a test says otherwise, times are London wall-clock times in November
2026 (no clock change; Mon 2 Nov is a Monday).
"""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bankapp.shifts.working_time import Interval, Reason, check_working_time

LONDON = ZoneInfo("Europe/London")


def at(when: str) -> datetime:
    """London wall-clock time, e.g. ``at("2026-11-02 08:00")``."""
    return datetime.fromisoformat(when).replace(tzinfo=LONDON)


def shift(start: str, end: str) -> Interval:
    """A shift between two London wall-clock times."""
    return Interval(at(start), at(end))


def lasting(start: str, hours: int = 0, minutes: int = 0) -> Interval:
    """A shift starting at a London time and lasting real elapsed time."""
    begin = at(start).astimezone(UTC)
    return Interval(begin, begin + timedelta(hours=hours, minutes=minutes))


def daily(first_day: str, count: int, start: str, end: str) -> list[Interval]:
    """The same shift on ``count`` days in a row (ends next day if end <= start)."""
    first = date.fromisoformat(first_day)
    shifts = []
    for i in range(count):
        day = first + timedelta(days=i)
        end_day = day + timedelta(days=1) if end <= start else day
        shifts.append(shift(f"{day} {start}", f"{end_day} {end}"))
    return shifts


def codes(reasons: list[Reason]) -> list[str]:
    return [reason.code for reason in reasons]


def wtr(existing: list[Interval], new: Interval) -> list[str]:
    return codes(check_working_time(existing, new))


def working_weeks(first_monday: str, weeks: int, *, saturday: bool = False) -> list[Interval]:
    """A steady rota: Mon-Thu 08:00-18:00 and Fri 08:00-16:00 (48 h a week), plus Sat 08:00-16:00 (56 h).

    Nothing else in it comes near a limit: 14 h rest between days, at most 6 days in a row, no long shifts.
    """
    monday = date.fromisoformat(first_monday)
    shifts = []
    for week in range(weeks):
        day = monday + timedelta(weeks=week)
        shifts += daily(day.isoformat(), 4, "08:00", "18:00")
        shifts += daily((day + timedelta(days=4)).isoformat(), 2 if saturday else 1, "08:00", "16:00")
    return shifts
