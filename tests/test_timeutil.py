"""London time, clock changes, bank holidays and band splitting.

Expected values are worked out by hand in the comments. 2026 facts used:
clocks go forward Sun 29 Mar (01:00 GMT → 02:00 BST) and back Sun 25 Oct
(02:00 BST → 01:00 GMT); Mon 31 Aug is the summer bank holiday; Christmas
Day is a Friday, Boxing Day a Saturday with its substitute on Mon 28 Dec.
"""

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine

from bankapp.timeutil import (
    BAND_LABELS,
    BANDS,
    LONDON,
    BandSegment,
    TimeInputError,
    band_at,
    bank_holidays,
    clock_at,
    elapsed_minutes,
    format_london,
    format_span,
    is_bank_holiday,
    local_minutes_between,
    london_date,
    london_text,
    minutes_by_band,
    now_utc,
    parse_datetime,
    spans_clock_change,
    split_into_bands,
    summer_time_spans,
    times_in_words,
    to_london,
    to_utc,
    today_london,
)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def local(text):
    """A London wall-clock time known to be unambiguous, as aware UTC."""
    return parse_datetime(text)


# --- the calendar facts the tests rely on ---------------------------------


def test_holidays_package_agrees_with_the_2026_calendar_used_here():
    eng = holidays.country_holidays("GB", subdiv="ENG", years=2026)
    assert date(2026, 8, 31) in eng
    assert date(2026, 12, 25) in eng
    assert date(2026, 12, 28) in eng  # Boxing Day substitute
    assert date(2026, 12, 26).weekday() == 5
    assert date(2026, 8, 30).weekday() == 6


# --- parse_datetime -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-01T09:00:00Z", utc(2026, 7, 1, 9)),
        ("2026-07-01T09:00Z", utc(2026, 7, 1, 9)),
        ("2026-07-01T10:00+01:00", utc(2026, 7, 1, 9)),
        ("2026-07-01T10:00:00+01:00", utc(2026, 7, 1, 9)),
        ("2026-07-01T04:30-04:30", utc(2026, 7, 1, 9)),
        ("2026-01-15T10:00+01:00", utc(2026, 1, 15, 9)),  # offset wins over GMT
        ("2026-07-01T10:00", utc(2026, 7, 1, 9)),  # BST, no offset
        ("2026-01-15T10:00", utc(2026, 1, 15, 10)),  # GMT, no offset
        ("2026-01-15 10:00", utc(2026, 1, 15, 10)),
        ("  2026-01-15T10:00  ", utc(2026, 1, 15, 10)),
        ("2026-07-01T10:00:45", utc(2026, 7, 1, 9, 0, 45)),
    ],
)
def test_parse_datetime_returns_aware_utc(text, expected):
    result = parse_datetime(text)
    assert result == expected
    assert result.tzinfo is UTC


def test_parse_datetime_drops_microseconds_and_keeps_seconds():
    assert parse_datetime("2026-07-01T10:00:07.999999+01:00") == utc(
        2026, 7, 1, 9, 0, 7
    )


def test_parse_datetime_treats_naive_datetime_as_london_wall_clock():
    assert parse_datetime(datetime(2026, 7, 1, 10, 0)) == utc(2026, 7, 1, 9)


def test_parse_datetime_converts_aware_datetime_from_any_zone():
    paris = datetime(2026, 7, 1, 11, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert parse_datetime(paris) == utc(2026, 7, 1, 9)


@pytest.mark.parametrize(
    "text", ["2026-03-29T01:00", "2026-03-29T01:30", "2026-03-29T01:59:59"]
)
def test_time_skipped_by_spring_forward_is_refused_as_nonexistent(text):
    with pytest.raises(TimeInputError) as exc:
        parse_datetime(text)
    assert exc.value.code == "nonexistent"


def test_nonexistent_message_says_when_clocks_go_forward():
    with pytest.raises(TimeInputError) as exc:
        parse_datetime("2026-03-29T01:30")
    message = str(exc.value)
    assert message.startswith("2026-03-29T01:30 does not exist in London")
    assert "go forward from 01:00 to 02:00" in message
    assert "offset" in message


def test_naive_datetime_in_the_gap_is_refused_too():
    with pytest.raises(TimeInputError) as exc:
        parse_datetime(datetime(2026, 3, 29, 1, 30))
    assert exc.value.code == "nonexistent"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-29T00:59", utc(2026, 3, 29, 0, 59)),  # last GMT minute
        ("2026-03-29T02:00", utc(2026, 3, 29, 1, 0)),  # first BST minute
        ("2026-10-25T00:59", utc(2026, 10, 24, 23, 59)),  # BST, before the repeat
        ("2026-10-25T02:00", utc(2026, 10, 25, 2, 0)),  # GMT, after the repeat
    ],
)
def test_times_next_to_a_clock_change_are_accepted(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text", ["2026-10-25T01:00", "2026-10-25T01:30", "2026-10-25T01:59"]
)
def test_time_repeated_by_fall_back_is_refused_as_ambiguous(text):
    with pytest.raises(TimeInputError) as exc:
        parse_datetime(text)
    assert exc.value.code == "ambiguous"


def test_ambiguous_message_offers_both_offsets():
    with pytest.raises(TimeInputError) as exc:
        parse_datetime("2026-10-25T01:30")
    message = str(exc.value)
    assert "happens twice" in message
    assert "go back from 02:00 to 01:00" in message
    assert "+01:00 for the first" in message
    assert "+00:00 for the second" in message


def test_repeated_hour_with_offsets_gives_two_instants_an_hour_apart():
    first = parse_datetime("2026-10-25T01:30+01:00")
    second = parse_datetime("2026-10-25T01:30+00:00")
    assert first == utc(2026, 10, 25, 0, 30)
    assert second == utc(2026, 10, 25, 1, 30)
    assert second - first == timedelta(hours=1)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "tomorrow",
        "2026-02-30T10:00",
        "2026-13-01T10:00",
        "2026-01-01T25:00",
        "2026-01-01",  # a date is not a time
        "10:00",
        "2026-01-01T10:00+25:00",
        None,
        12345,
        date(2026, 1, 1),
    ],
)
def test_garbage_is_refused_as_invalid(value):
    with pytest.raises(TimeInputError) as exc:
        parse_datetime(value)
    assert exc.value.code == "invalid"
    assert "ISO 8601" in str(exc.value) or "as text" in str(exc.value)


def test_time_input_error_is_a_value_error():
    assert issubclass(TimeInputError, ValueError)


# --- formatting and conversion --------------------------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2026, 7, 1, 9), "2026-07-01T10:00:00+01:00"),
        (utc(2026, 1, 15, 10), "2026-01-15T10:00:00+00:00"),
        (utc(2026, 10, 25, 0, 30), "2026-10-25T01:30:00+01:00"),
        (utc(2026, 10, 25, 1, 30), "2026-10-25T01:30:00+00:00"),
        (utc(2026, 3, 29, 1, 0), "2026-03-29T02:00:00+01:00"),
        (utc(2026, 7, 1, 9, 0, 5, 123456), "2026-07-01T10:00:05+01:00"),
    ],
)
def test_format_london_shows_offset_and_seconds(instant, expected):
    assert format_london(instant) == expected


def test_format_london_of_none_is_none():
    assert format_london(None) is None


def test_format_round_trips_through_parse():
    instant = utc(2026, 10, 25, 1, 30)
    assert parse_datetime(format_london(instant)) == instant


@pytest.mark.parametrize("func", [to_london, to_utc, format_london, london_date])
def test_naive_datetimes_are_refused_by_conversions(func):
    with pytest.raises(ValueError, match="no time zone"):
        func(datetime(2026, 7, 1, 10))


def test_to_london_and_to_utc_keep_the_instant():
    instant = utc(2026, 7, 1, 23, 30)
    london = to_london(instant)
    assert london.tzinfo == LONDON
    assert (london.hour, london.day) == (0, 2)
    assert to_utc(london) == instant
    assert to_utc(london).tzinfo is UTC


def test_london_date_is_the_wall_clock_date():
    assert london_date(utc(2026, 7, 1, 23, 30)) == date(2026, 7, 2)
    assert london_date(utc(2026, 1, 1, 23, 30)) == date(2026, 1, 1)


def test_now_utc_is_aware_and_follows_time_travel():
    with time_machine.travel(utc(2026, 10, 25, 1, 30), tick=False):
        now = now_utc()
    assert now == utc(2026, 10, 25, 1, 30)
    assert now.utcoffset() == timedelta(0)


# --- bank holidays ---------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 1), True),
        (date(2026, 4, 3), True),  # Good Friday
        (date(2026, 4, 6), True),  # Easter Monday
        (date(2026, 8, 31), True),
        (date(2026, 12, 25), True),
        (date(2026, 12, 26), True),  # Boxing Day itself, a Saturday
        (date(2026, 12, 28), True),  # its substitute day
        (date(2026, 12, 27), False),
        (date(2026, 1, 2), False),  # Scotland only
        (date(2026, 8, 3), False),  # Scotland's summer holiday
        (date(2026, 3, 17), False),  # Northern Ireland only
        (date(2026, 11, 30), False),  # St Andrew's Day, Scotland only
        (date(2027, 12, 27), True),  # Christmas 2027 on Saturday → substitute
        (date(2027, 12, 28), True),  # Boxing Day 2027 on Sunday → substitute
    ],
)
def test_is_bank_holiday_for_england_and_wales(day, expected):
    assert is_bank_holiday(day) is expected


def test_bank_holidays_lists_2026_and_is_a_fresh_copy():
    days = bank_holidays(2026)
    assert len(days) == 9
    assert all(d.year == 2026 for d in days)
    days.clear()
    assert len(bank_holidays(2026)) == 9


# --- band_at ---------------------------------------------------------------


def test_band_names_and_labels():
    assert BANDS == (
        "weekday_day",
        "weekday_night",
        "weekend_day",
        "weekend_night",
        "bank_holiday",
    )
    assert list(BAND_LABELS) == list(BANDS)
    assert BAND_LABELS["bank_holiday"] == "Bank holiday"
    assert BAND_LABELS["weekday_day"] == "Weekday day"


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        (datetime(2026, 6, 10, 6, 59), "weekday_night"),  # Wednesday
        (datetime(2026, 6, 10, 7, 0), "weekday_day"),
        (datetime(2026, 6, 10, 20, 59), "weekday_day"),
        (datetime(2026, 6, 10, 21, 0), "weekday_night"),
        (datetime(2026, 6, 13, 6, 59), "weekend_night"),  # Saturday
        (datetime(2026, 6, 13, 7, 0), "weekend_day"),
        (datetime(2026, 6, 14, 21, 0), "weekend_night"),  # Sunday
        (datetime(2026, 8, 31, 3, 0), "bank_holiday"),
        (datetime(2026, 8, 31, 12, 0), "bank_holiday"),
        (datetime(2026, 8, 31, 23, 59), "bank_holiday"),
        (datetime(2026, 12, 26, 12, 0), "bank_holiday"),  # Saturday holiday
    ],
)
def test_band_at_wall_clock(wall, expected):
    assert band_at(wall) == expected
    assert band_at(wall.replace(tzinfo=LONDON)) == expected


def test_band_at_converts_utc_to_london_first():
    # 23:30 UTC on Sunday 30 Aug is 00:30 BST on the bank holiday Monday.
    assert band_at(utc(2026, 8, 30, 23, 30)) == "bank_holiday"


def test_band_at_honours_a_custom_day():
    wall = datetime(2026, 6, 10, 7, 30)
    assert band_at(wall, day_start=time(8), day_end=time(20)) == "weekday_night"
    assert band_at(wall.replace(hour=19), day_start=time(8), day_end=time(19)) == (
        "weekday_night"
    )


def test_band_at_refuses_a_day_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="start before"):
        band_at(datetime(2026, 6, 10, 12), day_start=time(21), day_end=time(7))


# --- split_into_bands / minutes_by_band ------------------------------------


def bands(start_text, end_text, **kw):
    return minutes_by_band(local(start_text), local(end_text), **kw)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(
            "2026-06-10T08:00",
            "2026-06-10T16:00",
            {"weekday_day": 480},
            id="plain weekday day",
        ),
        pytest.param(
            # 20-21 day, 21-07 night, 07-08 day
            "2026-06-09T20:00",
            "2026-06-10T08:00",
            {"weekday_day": 120, "weekday_night": 600},
            id="weekday night",
        ),
        pytest.param(
            # Fri 20-21 day, 21-24 night; Sat 00-07 night, 07-08 day
            "2026-06-12T20:00",
            "2026-06-13T08:00",
            {
                "weekday_day": 60,
                "weekday_night": 180,
                "weekend_night": 420,
                "weekend_day": 60,
            },
            id="Friday night into Saturday",
        ),
        pytest.param(
            # Sun 20-21 day, 21-24 night; Mon 31 Aug 00-08 bank holiday
            "2026-08-30T20:00",
            "2026-08-31T08:00",
            {"weekend_day": 60, "weekend_night": 180, "bank_holiday": 480},
            id="Sunday night into the summer bank holiday",
        ),
        pytest.param(
            # Mon 31 Aug 20-24 bank holiday; Tue 00-07 night, 07-08 day
            "2026-08-31T20:00",
            "2026-09-01T08:00",
            {"weekday_day": 60, "weekday_night": 420, "bank_holiday": 240},
            id="bank holiday night into an ordinary Tuesday",
        ),
        pytest.param(
            # Thu 24 Dec 20-21 day, 21-24 night; Fri 25 Dec 00-08 holiday
            "2026-12-24T20:00",
            "2026-12-25T08:00",
            {"weekday_day": 60, "weekday_night": 180, "bank_holiday": 480},
            id="Christmas Eve night",
        ),
        pytest.param(
            "2026-12-25T20:00",
            "2026-12-26T08:00",
            {"bank_holiday": 720},
            id="Christmas night into Boxing Day",
        ),
        pytest.param(
            # Sun 27 Dec 20-21 day, 21-24 night; Mon 28 Dec substitute day
            "2026-12-27T20:00",
            "2026-12-28T08:00",
            {"weekend_day": 60, "weekend_night": 180, "bank_holiday": 480},
            id="Sunday night into the Boxing Day substitute",
        ),
        pytest.param(
            "2026-12-28T07:00",
            "2026-12-28T21:00",
            {"bank_holiday": 840},
            id="Boxing Day substitute day shift",
        ),
        pytest.param(
            "2026-06-10T07:00",
            "2026-06-10T21:00",
            {"weekday_day": 840},
            id="exactly 07:00 to 21:00",
        ),
        pytest.param(
            "2026-06-10T21:00",
            "2026-06-11T07:00",
            {"weekday_night": 600},
            id="exactly 21:00 to 07:00",
        ),
        pytest.param(
            "2026-06-13T00:00",
            "2026-06-13T07:00",
            {"weekend_night": 420},
            id="Saturday midnight to 07:00",
        ),
        pytest.param(
            "2026-06-12T21:00",
            "2026-06-13T00:00",
            {"weekday_night": 180},
            id="Friday 21:00 to midnight",
        ),
        pytest.param(
            # clocks back: Sat 20-21 day (60), Sat 21:00 BST → Sun 07:00 GMT
            # is 11 real hours of night (660), Sun 07-08 day (60) = 13 h
            "2026-10-24T20:00",
            "2026-10-25T08:00",
            {"weekend_day": 120, "weekend_night": 660},
            id="October clock change night is 13 hours",
        ),
        pytest.param(
            # clocks forward: 21:00 GMT → 07:00 BST is 9 real hours = 11 h
            "2026-03-28T20:00",
            "2026-03-29T08:00",
            {"weekend_day": 120, "weekend_night": 540},
            id="March clock change night is 11 hours",
        ),
        pytest.param(
            # 23:30 UTC → 03:30 UTC
            "2026-10-25T00:30",
            "2026-10-25T03:30",
            {"weekend_night": 240},
            id="00:30 to 03:30 on the October change day is 4 hours",
        ),
        pytest.param(
            # 00:30 UTC → 02:30 UTC
            "2026-03-29T00:30",
            "2026-03-29T03:30",
            {"weekend_night": 120},
            id="00:30 to 03:30 on the March change day is 2 hours",
        ),
        pytest.param(
            # Sun 07-21 weekend day (840), Sun 21-24 weekend night (180);
            # Monday is a weekday: 00-07 night (420), 07-09 day (120)
            "2026-06-14T07:00",
            "2026-06-15T09:00",
            {
                "weekend_day": 840,
                "weekend_night": 180,
                "weekday_night": 420,
                "weekday_day": 120,
            },
            id="26 hours from Sunday morning",
        ),
    ],
)
def test_minutes_by_band(start, end, expected):
    result = bands(start, end)
    assert result == expected
    assert list(result) == [b for b in BANDS if b in expected]  # BANDS order
    assert sum(result.values()) == elapsed_minutes(local(start), local(end))


@pytest.mark.parametrize(
    ("start", "end", "expected_minutes"),
    [
        ("2026-10-24T20:00", "2026-10-25T08:00", 780),
        ("2026-03-28T20:00", "2026-03-29T08:00", 660),
        ("2026-06-09T20:00", "2026-06-10T08:00", 720),
        ("2026-10-25T00:30", "2026-10-25T03:30", 240),
    ],
)
def test_elapsed_minutes_is_real_time(start, end, expected_minutes):
    assert elapsed_minutes(local(start), local(end)) == expected_minutes


def test_elapsed_minutes_is_negative_when_end_is_first():
    assert elapsed_minutes(utc(2026, 6, 10, 10), utc(2026, 6, 10, 9)) == -60


def test_october_night_segments_are_in_utc_and_contiguous():
    start, end = local("2026-10-24T20:00"), local("2026-10-25T08:00")
    segments = split_into_bands(start, end)
    assert segments == [
        BandSegment("weekend_day", utc(2026, 10, 24, 19), utc(2026, 10, 24, 20)),
        BandSegment("weekend_night", utc(2026, 10, 24, 20), utc(2026, 10, 25, 7)),
        BandSegment("weekend_day", utc(2026, 10, 25, 7), utc(2026, 10, 25, 8)),
    ]
    assert [s.minutes for s in segments] == [60, 660, 60]


def test_weekday_night_gives_three_segments_not_merged_across_the_night():
    segments = split_into_bands(local("2026-06-09T20:00"), local("2026-06-10T08:00"))
    assert [(s.band, s.minutes) for s in segments] == [
        ("weekday_day", 60),
        ("weekday_night", 600),
        ("weekday_day", 60),
    ]


def test_adjacent_segments_of_the_same_band_are_merged_over_midnight():
    # Fri 25 Dec and Sat 26 Dec are both bank holidays: one segment.
    segments = split_into_bands(local("2026-12-25T20:00"), local("2026-12-26T08:00"))
    assert [(s.band, s.minutes) for s in segments] == [("bank_holiday", 720)]


def test_split_accepts_aware_datetimes_in_any_zone():
    start = datetime(2026, 6, 10, 8, tzinfo=LONDON)
    end = datetime(2026, 6, 10, 11, tzinfo=timezone(timedelta(hours=2)))  # 10:00 BST
    assert minutes_by_band(start, end) == {"weekday_day": 120}


def test_custom_day_hours_move_the_boundaries():
    # day 08:00-20:00: 07-08 night, 08-20 day, 20-21 night
    result = bands(
        "2026-06-10T07:00", "2026-06-10T21:00", day_start=time(8), day_end=time(20)
    )
    assert result == {"weekday_day": 720, "weekday_night": 120}


def test_custom_day_boundary_inside_the_repeated_hour_cuts_twice():
    # Day 01:30-21:00 on Sun 25 Oct: 01:00-01:30 BST night, 01:30-02:00 BST
    # day, then the wall clock reads 01:00 GMT again: night to 01:30 GMT,
    # then day. From 00:00 BST to 03:00 GMT (4 real hours):
    # night 60 + 30 + 30 = 120, day 30 + 90 = 120.
    result = bands("2026-10-25T00:00", "2026-10-25T03:00", day_start=time(1, 30))
    assert result == {"weekend_night": 120, "weekend_day": 120}


def test_custom_day_boundary_inside_the_skipped_hour_starts_at_the_change():
    # Day 01:30-21:00 on Sun 29 Mar: 01:30 never happens, so day starts at
    # 02:00 BST (01:00 UTC). 00:00 GMT → 03:00 BST is 2 real hours:
    # night 00:00-01:00 GMT (60), day 02:00-03:00 BST (60).
    result = bands("2026-03-29T00:00", "2026-03-29T03:00", day_start=time(1, 30))
    assert result == {"weekend_night": 60, "weekend_day": 60}


def test_seconds_are_truncated_to_the_minute_on_both_ends():
    start = local("2026-06-09T20:00:59")
    end = local("2026-06-10T08:00:30")
    assert minutes_by_band(start, end) == {"weekday_day": 120, "weekday_night": 600}
    assert elapsed_minutes(start, end) == 720
    assert split_into_bands(start, end)[0].start == utc(2026, 6, 9, 19, 0)


def test_elapsed_minutes_counts_minute_marks_crossed():
    # 10:00:59 → 10:01:00 truncates to 10:00 → 10:01.
    assert elapsed_minutes(utc(2026, 6, 10, 10, 0, 59), utc(2026, 6, 10, 10, 1)) == 1
    assert elapsed_minutes(utc(2026, 6, 10, 10, 0, 1), utc(2026, 6, 10, 10, 0, 59)) == 0


def test_span_shorter_than_a_minute_gives_no_segments():
    assert (
        split_into_bands(utc(2026, 6, 10, 10, 0, 5), utc(2026, 6, 10, 10, 0, 50)) == []
    )
    assert (
        minutes_by_band(utc(2026, 6, 10, 10, 0, 5), utc(2026, 6, 10, 10, 0, 50)) == {}
    )


@pytest.mark.parametrize("delta", [timedelta(0), timedelta(hours=-1)])
def test_split_refuses_end_not_after_start(delta):
    start = utc(2026, 6, 10, 10)
    with pytest.raises(ValueError, match="after the start"):
        split_into_bands(start, start + delta)


def test_split_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="no time zone"):
        split_into_bands(datetime(2026, 6, 10, 8), datetime(2026, 6, 10, 9))


def brute_force_bands(start, end):
    """One band_at call per elapsed minute: slow but obviously right."""
    totals = {}
    t = start
    while t < end:
        band = band_at(t)
        totals[band] = totals.get(band, 0) + 1
        t += timedelta(minutes=1)
    return {b: totals[b] for b in BANDS if b in totals}


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 3, 28),  # the March change
        date(2026, 10, 24),  # the October change
        date(2026, 8, 30),  # into a bank holiday
        date(2026, 12, 24),  # Christmas
        date(2026, 6, 12),  # Friday into the weekend
    ],
)
def test_minutes_by_band_agrees_with_minute_by_minute_count(day):
    base = datetime.combine(day, time(0), tzinfo=UTC)
    for start_hour in range(0, 48, 3):
        for length in (1, 97, 787):
            start = base + timedelta(hours=start_hour, minutes=17)
            end = start + timedelta(minutes=length)
            assert minutes_by_band(start, end) == brute_force_bands(start, end), start


# --- local_minutes_between (the night-shift rule) ---------------------------

NIGHT = (time(23), time(6))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-06-09T20:00", "2026-06-10T08:00", 420),  # 23-06 = 7 h
        ("2026-06-09T21:00", "2026-06-10T02:00", 180),  # exactly 3 h
        ("2026-06-09T21:00", "2026-06-10T01:59", 179),  # just short of 3 h
        ("2026-06-09T18:00", "2026-06-09T23:00", 0),
        ("2026-06-09T18:00", "2026-06-09T23:01", 1),
        ("2026-06-10T05:00", "2026-06-10T13:00", 60),
        ("2026-06-10T06:00", "2026-06-10T22:59", 0),
        # Mon 00-06 (6 h), Mon 23 → Tue 06 (7 h), Tue 23-24 (1 h)
        ("2026-06-08T00:00", "2026-06-10T00:00", 840),
        # October: 23:00 BST → 06:00 GMT is 8 real hours
        ("2026-10-24T20:00", "2026-10-25T08:00", 480),
        # March: 23:00 GMT → 06:00 BST is 6 real hours
        ("2026-03-28T20:00", "2026-03-29T08:00", 360),
    ],
)
def test_local_minutes_between_night_window(start, end, expected):
    assert local_minutes_between(local(start), local(end), *NIGHT) == expected


def test_local_minutes_between_non_wrapping_window():
    result = local_minutes_between(
        local("2026-06-10T06:00"), local("2026-06-10T22:00"), time(7), time(21)
    )
    assert result == 840


def test_local_minutes_between_empty_span_is_zero():
    start = local("2026-06-10T06:00")
    assert local_minutes_between(start, start, *NIGHT) == 0


def test_local_minutes_between_refuses_an_empty_window():
    with pytest.raises(ValueError, match="window"):
        local_minutes_between(
            local("2026-06-10T06:00"), local("2026-06-10T08:00"), time(6), time(6)
        )


# --- spans_clock_change ----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-10-24T20:00", "2026-10-25T08:00", "back"),
        ("2026-03-28T20:00", "2026-03-29T08:00", "forward"),
        ("2026-06-09T20:00", "2026-06-10T08:00", None),
        ("2026-12-24T20:00", "2026-12-25T08:00", None),
        ("2026-10-25T02:00", "2026-10-25T08:00", None),  # already GMT
    ],
)
def test_spans_clock_change(start, end, expected):
    assert spans_clock_change(local(start), local(end)) == expected


# --- the one-offset shortcut ---------------------------------------------------
# Most spans have one UTC offset throughout and are cut by plain arithmetic;
# the general path (both folds, hourly probe for offset changes) must agree
# with it wherever both apply, and take over wherever the clocks change.

SWEEP_FROM = [utc(2026, 3, 28, 0), utc(2026, 10, 24, 0), utc(2026, 12, 24, 0), utc(2026, 8, 30, 12)]


def _everything_cut(start, end):
    return (split_into_bands(start, end),
            local_minutes_between(start, end, time(23), time(6)),
            local_minutes_between(start, end, time(1, 30), time(2, 30)),
            local_minutes_between(start, end, time(0, 30), time(1, 30)))


@pytest.mark.parametrize("sweep_from", SWEEP_FROM, ids=["spring-forward", "fall-back", "christmas", "august-bh"])
def test_one_offset_shortcut_agrees_with_the_general_path(monkeypatch, sweep_from):
    import bankapp.timeutil as timeutil

    spans = [(sweep_from + timedelta(minutes=30 * i), timedelta(minutes=minutes))
             for i in range(0, 3 * 48) for minutes in range(1, 31 * 60, 97)]
    spans += [(sweep_from, timedelta(days=days)) for days in (7, 59, 61)]
    shortcut = [_everything_cut(start, start + length) for start, length in spans]
    monkeypatch.setattr(timeutil, "_pieces", timeutil._pieces_any_offsets)
    general = [_everything_cut(start, start + length) for start, length in spans]
    assert shortcut == general


def test_a_span_across_a_clock_change_takes_the_general_path(monkeypatch):
    import bankapp.timeutil as timeutil

    taken = []
    monkeypatch.setattr(timeutil, "_pieces_any_offsets",
                        lambda *a: taken.append(a) or [])
    timeutil._pieces(utc(2026, 10, 24, 20), utc(2026, 10, 25, 8), (time(0), time(7), time(21)))
    assert len(taken) == 1
    taken.clear()
    timeutil._pieces(utc(2026, 11, 24, 20), utc(2026, 11, 25, 8), (time(0), time(7), time(21)))
    assert taken == []


def test_one_offset_shortcut_agrees_over_random_spans_of_seven_years(monkeypatch):
    """Seeded random spans 2025–2031 (every clock change and bank holiday of those years is a candidate)."""
    import random

    import bankapp.timeutil as timeutil

    rng = random.Random(2026)
    first = utc(2025, 1, 1)
    spans = [(first + timedelta(minutes=rng.randrange(7 * 365 * 24 * 60)),
              timedelta(minutes=rng.randrange(1, 70 * 24 * 60) if i % 10 == 0 else rng.randrange(1, 25 * 60)))
             for i in range(1000)]
    shortcut = [_everything_cut(start, start + length) for start, length in spans]
    monkeypatch.setattr(timeutil, "_pieces", timeutil._pieces_any_offsets)
    assert shortcut == [_everything_cut(start, start + length) for start, length in spans]


def test_summer_time_spans_agree_with_the_tz_database_to_the_second():
    spans = summer_time_spans(2000, 2040)
    assert len(spans) == 41
    for start, end in spans:
        for instant, summer in ((start - timedelta(seconds=1), False), (start, True),
                                (end - timedelta(seconds=1), True), (end, False)):
            assert (instant.astimezone(LONDON).utcoffset() == timedelta(hours=1)) is summer, instant


def test_summer_time_spans_of_known_years():
    assert summer_time_spans(2026, 2027) == (
        (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)),
        (datetime(2027, 3, 28, 1, tzinfo=UTC), datetime(2027, 10, 31, 1, tzinfo=UTC)),
    )


def test_clock_at_pins_now_inside_the_block_only():
    job_clock = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    before = now_utc()
    with clock_at(job_clock.astimezone(LONDON)) as pinned:
        assert pinned == job_clock and pinned.tzinfo is UTC
        assert now_utc() == job_clock
        assert today_london() == date(2027, 10, 31)
    assert abs((now_utc() - before).total_seconds()) < 5


def test_clock_at_refuses_a_naive_clock():
    with pytest.raises(ValueError):
        with clock_at(datetime(2027, 1, 1)):
            pass


def test_london_text_is_the_wall_clock_for_people():
    assert london_text(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)) == "Mon 30 Nov 2026 09:00"
    assert london_text(datetime(2026, 7, 1, 8, 0, tzinfo=UTC)) == "Wed 1 Jul 2026 09:00"
    assert london_text(None) == ""


@pytest.mark.parametrize(("text", "words"), [
    ("Approved after the pay-run cut-off of 2026-11-30T09:00:00+00:00.",
     "Approved after the pay-run cut-off of Mon 30 Nov 2026 09:00."),
    ("Cut-off 2026-10-19T09:00:00+01:00, then 2026-10-26T09:00:00Z",
     "Cut-off Mon 19 Oct 2026 09:00, then Mon 26 Oct 2026 09:00"),
    ("From 2026-03-29T00:30+00:00", "From Sun 29 Mar 2026 00:30"),
    ("No offset: 2026-11-30T09:00 stays", "No offset: 2026-11-30T09:00 stays"),
    ("Not a time: 2026-13-45T99:00:00+00:00", "Not a time: 2026-13-45T99:00:00+00:00"),
    ("Patient safety", "Patient safety"),
    ("", ""),
    (None, None),
])
def test_times_in_words_rewrites_iso_times_with_an_offset(text, words):
    assert times_in_words(text) == words


@pytest.mark.parametrize("start, end, expected", [
    ("2026-12-03T08:00", "2026-12-03T17:00", "Thu 3 Dec 08:00 to 17:00"),
    ("2026-12-03T20:00", "2026-12-04T08:00", "Thu 3 Dec 20:00 to Fri 4 Dec 08:00"),
    ("2026-12-03T08:00", "2026-12-04T08:00", "Thu 3 Dec 08:00 to Fri 4 Dec 08:00"),  # 24 hours, never 08:00-08:00
    ("2026-10-24T20:00", "2026-10-25T08:00", "Sat 24 Oct 20:00 to Sun 25 Oct 08:00"),  # 13 hours, clocks go back
    ("2026-12-03T23:00:00+00:00", "2026-12-04T07:00:00+00:00", "Thu 3 Dec 23:00 to Fri 4 Dec 07:00"),
])
def test_a_span_names_the_end_day_whenever_it_is_another_day(start, end, expected):
    assert format_span(parse_datetime(start), parse_datetime(end)) == expected


def test_a_span_takes_the_page_s_own_formats():
    start, end = parse_datetime("2026-12-03T20:00"), parse_datetime("2026-12-04T08:00")
    assert format_span(start, end, day="%a %-d %b %Y", between=", ", joiner="–") == \
        "Thu 3 Dec 2026, 20:00–Fri 4 Dec 2026, 08:00"
