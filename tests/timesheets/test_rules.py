"""Pure timesheet rules: actual-time checks and the weekly pay-run cut-off (DST-correct)."""
from datetime import UTC, datetime, time

import pytest

from bankapp.timesheets import rules
from tests.factories import london

BOOKED_START, BOOKED_END = london("2026-10-14T20:00"), london("2026-10-15T08:00")
NOW = london("2026-10-16T12:00")


def check(start="2026-10-14T20:00", end="2026-10-15T08:00", break_minutes=0, note=None, now=NOW):
    return rules.check_actual_times(booked_start=BOOKED_START, booked_end=BOOKED_END, actual_start=london(start),
                                    actual_end=london(end), break_minutes=break_minutes, note=note, now=now)


def test_booked_times_are_fine():
    assert check() == {}


def test_end_before_start_is_an_error_on_the_end():
    assert "actual_end" in check(end="2026-10-14T19:00")


def test_end_equal_to_start_is_an_error():
    assert "actual_end" in check(start="2026-10-15T08:00")


def test_end_in_the_future_is_an_error():
    assert "actual_end" in check(now=london("2026-10-15T07:00"))


def test_exactly_four_hours_early_start_needs_no_note():
    assert check(start="2026-10-14T16:00") == {}


def test_more_than_four_hours_from_booked_start_needs_a_note():
    errors = check(start="2026-10-14T15:59")
    assert list(errors) == ["actual_start"]
    assert "note" in errors["actual_start"][0]
    assert check(start="2026-10-14T15:59", note="Came in early for a major incident") == {}


def test_more_than_four_hours_from_booked_end_needs_a_note():
    assert list(check(end="2026-10-15T12:01")) == ["actual_end"]


def test_blank_note_does_not_count():
    assert "actual_end" in check(end="2026-10-15T12:01", note="   ")


def test_break_as_long_as_the_time_worked_is_an_error():
    assert "break_minutes" in check(break_minutes=720)
    assert check(break_minutes=719) == {}


def test_all_problems_are_listed_together():
    errors = check(start="2026-10-14T10:00", end="2026-10-14T12:00", break_minutes=500)
    assert set(errors) == {"actual_start", "actual_end", "break_minutes"}


def test_is_unchanged_only_for_booked_times_and_no_break():
    same = {"booked_start": BOOKED_START, "booked_end": BOOKED_END, "actual_start": BOOKED_START,
            "actual_end": BOOKED_END}
    assert rules.is_unchanged(**same, break_minutes=0)
    assert not rules.is_unchanged(**same, break_minutes=30)
    assert not rules.is_unchanged(**{**same, "actual_end": london("2026-10-15T08:15")}, break_minutes=0)


@pytest.mark.parametrize(("after", "expected"), [
    # Summer: Monday 09:00 BST is 08:00 UTC.
    ("2026-10-16T12:00", "2026-10-19T08:00:00+00:00"),
    ("2026-10-19T08:59", "2026-10-19T08:00:00+00:00"),
    ("2026-10-19T09:00", "2026-10-26T09:00:00+00:00"),  # at the cut-off: the next one; now winter (GMT)
    # Across the October change: Saturday BST, Monday 09:00 GMT = 09:00 UTC.
    ("2026-10-24T20:00", "2026-10-26T09:00:00+00:00"),
    # Across the March change: Saturday GMT, Monday 09:00 BST = 08:00 UTC.
    ("2026-03-28T20:00", "2026-03-30T08:00:00+00:00"),
    ("2026-03-30T08:59:59+01:00", "2026-03-30T08:00:00+00:00"),
    ("2026-12-27T10:00", "2026-12-28T09:00:00+00:00"),  # a Sunday in winter
])
def test_next_cutoff_is_monday_nine_london_time(after, expected):
    assert rules.next_cutoff(london(after)).isoformat() == expected


def test_next_cutoff_follows_the_configured_weekday_and_time():
    # Friday 12:30 London.
    got = rules.next_cutoff(london("2026-10-19T10:00"), weekday=4, at=time(12, 30))
    assert got == datetime(2026, 10, 23, 11, 30, tzinfo=UTC)


def test_approved_before_the_cutoff_is_not_late():
    assert not rules.is_late(submitted_at=london("2026-10-17T10:00"), approved_at=london("2026-10-19T08:59"))
    assert not rules.is_late(submitted_at=london("2026-10-17T10:00"), approved_at=london("2026-10-19T09:00"))


def test_approved_after_the_cutoff_is_late():
    assert rules.is_late(submitted_at=london("2026-10-17T10:00"), approved_at=london("2026-10-19T09:01"))


def test_late_is_judged_in_london_time_after_the_clocks_go_back():
    # Due Mon 26 Oct 09:00 GMT; 08:30 GMT is still on time (it would be late if BST were assumed).
    submitted = london("2026-10-24T10:00")
    assert not rules.is_late(submitted_at=submitted, approved_at=london("2026-10-26T08:30"))
    assert rules.is_late(submitted_at=submitted, approved_at=london("2026-10-26T09:30"))


def test_misses_cutoff_once_the_due_cutoff_has_passed():
    submitted = london("2026-10-17T10:00")
    assert not rules.misses_cutoff(submitted_at=submitted, now=london("2026-10-19T08:00"))
    assert rules.misses_cutoff(submitted_at=submitted, now=london("2026-10-19T09:30"))


def test_parse_cutoff_time():
    assert rules.parse_cutoff_time("09:00") == time(9)
    assert rules.parse_cutoff_time("17:45") == time(17, 45)
