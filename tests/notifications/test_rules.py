"""Pure SMS rules: quiet hours across clock changes, backoff, keywords, numbers."""
from datetime import UTC, datetime, timedelta

import pytest

from bankapp.notifications.rules import (
    alert_send_after,
    days_mask,
    in_quiet_hours,
    keyword,
    normalise_mobile,
    quiet_hours_over,
    retry_delay,
    weekdays_of,
)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("now", "quiet"), [(utc(2026, 12, 2, 20, 59), False), (utc(2026, 12, 2, 21, 0), True),
                                            (utc(2026, 12, 3, 7, 59), True), (utc(2026, 12, 3, 8, 0), False),
                                            (utc(2026, 7, 1, 20, 0), True),  # 21:00 BST
                                            (utc(2026, 7, 1, 7, 0), False)])  # 08:00 BST
def test_quiet_hours_follow_london_time(now, quiet):
    assert in_quiet_hours(now, "21:00", "08:00") is quiet


def test_quiet_hours_over_is_the_next_morning_in_the_evening_and_today_after_midnight():
    assert quiet_hours_over(utc(2026, 12, 2, 22, 0), "21:00", "08:00") == utc(2026, 12, 3, 8, 0)
    assert quiet_hours_over(utc(2026, 12, 3, 2, 0), "21:00", "08:00") == utc(2026, 12, 3, 8, 0)
    assert quiet_hours_over(utc(2026, 12, 3, 12, 0), "21:00", "08:00") == utc(2026, 12, 3, 12, 0)


def test_quiet_night_when_the_clocks_go_back_ends_at_eight_gmt():
    # Saturday 24 Oct 2026 22:00 BST; the clocks go back at 02:00 BST on Sunday.
    assert quiet_hours_over(utc(2026, 10, 24, 21, 0), "21:00", "08:00") == utc(2026, 10, 25, 8, 0)
    # Saturday 28 Mar 2026 23:00 GMT; the clocks go forward at 01:00 GMT on Sunday.
    assert quiet_hours_over(utc(2026, 3, 28, 23, 0), "21:00", "08:00") == utc(2026, 3, 29, 7, 0)


def test_urgent_alerts_go_at_once_others_wait():
    now = utc(2026, 12, 2, 23, 0)
    kw = {"quiet_start": "21:00", "quiet_end": "08:00", "urgent_within_hours": 12}
    assert alert_send_after(now + timedelta(hours=12), now, **kw) == now
    assert alert_send_after(now + timedelta(hours=12, minutes=1), now, **kw) == utc(2026, 12, 3, 8, 0)


def test_backoff_grows_then_stays():
    assert [retry_delay(n).total_seconds() / 60 for n in range(1, 7)] == [1, 5, 15, 60, 60, 60]


@pytest.mark.parametrize(("text", "word"), [("STOP", "stop"), (" stop ", "stop"), ("Stop.", "stop"),
                                            ("stopall", "stop"), ("END", "stop"), ("unsubscribe", "stop"),
                                            ("Cancel", "stop"), ("quit", "stop"), ("START", "start"),
                                            ("yes", "start"), ("Unstop", "start"), ("help", "help"),
                                            ("stop please", None), ("", None), (None, None)])
def test_keywords(text, word):
    assert keyword(text) == word


@pytest.mark.parametrize(("typed", "e164"), [("07700 900123", "+447700900123"), ("+44 7700 900123", "+447700900123"),
                                             ("0044 7700-900-123", "+447700900123"), ("+33612345678", "+33612345678"),
                                             ("", None), ("  ", None)])
def test_mobile_numbers_are_normalised(typed, e164):
    assert normalise_mobile(typed) == e164


@pytest.mark.parametrize("typed", ["0770090", "01245 123456", "+4477009001234", "07700 9001x3", "+0123456789"])
def test_bad_mobile_numbers_are_refused(typed):
    with pytest.raises(ValueError, match="Enter a mobile number like"):
        normalise_mobile(typed)


def test_days_mask_round_trips():
    assert weekdays_of(days_mask([0, 4, 6])) == [0, 4, 6]
