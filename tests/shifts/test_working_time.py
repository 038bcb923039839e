"""Working-time safeguards at their exact limits: just inside passes, just outside fails.

Unless a test says otherwise, times are London wall-clock times in November
2026 (no clock change; Mon 2 Nov is a Monday).
"""
from datetime import timedelta

import pytest

from bankapp.shifts.working_time import (
    Interval,
    Reason,
    check_working_time,
    is_long_shift,
    is_night_shift,
    night_time,
)

from .intervals import at, codes, daily, lasting, shift, working_weeks, wtr


def lasting_from(start, minutes) -> Interval:
    return Interval(start, start + timedelta(minutes=minutes))


# --- Shift kinds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "night"),
    [
        ("2026-11-02 23:00", "2026-11-03 02:00", True),  # exactly 3 h inside
        ("2026-11-02 23:01", "2026-11-03 02:00", False),  # 2 h 59
        ("2026-11-03 03:00", "2026-11-03 09:00", True),  # 03:00-06:00
        ("2026-11-03 03:01", "2026-11-03 09:00", False),
        ("2026-11-02 20:00", "2026-11-03 02:00", True),
        ("2026-11-02 20:00", "2026-11-03 01:59", False),
        ("2026-11-02 20:00", "2026-11-03 08:00", True),
        ("2026-11-02 08:00", "2026-11-02 20:00", False),
        ("2026-11-02 04:30", "2026-11-02 23:30", False),  # 1.5 h + 0.5 h
        ("2026-11-02 04:00", "2026-11-03 00:00", True),  # 2 h + 1 h
    ],
)
def test_night_shift_needs_three_hours_between_23_and_06(start, end, night):
    assert is_night_shift(shift(start, end)) is night


@pytest.mark.parametrize(
    ("start", "end", "night"),
    [
        # October: 01:00-02:00 happens twice, so 01:00 BST-03:00 GMT is 3 h real.
        ("2026-10-25 01:00", "2026-10-25 03:00", True),  # 2 h on the clock
        # March: 01:00-02:00 never happens, 00:00-04:00 wall is 3 h real.
        ("2026-03-29 00:00", "2026-03-29 04:00", True),
        ("2026-03-29 00:01", "2026-03-29 04:00", False),  # 2 h 59 real
    ],
)
def test_night_time_is_real_time_over_clock_changes(start, end, night):
    assert is_night_shift(shift(start, end)) is night


def test_night_time_over_the_october_change_is_eight_real_hours():
    assert night_time(shift("2026-10-24 20:00", "2026-10-25 08:00")) == timedelta(hours=8)
    assert night_time(shift("2026-03-28 20:00", "2026-03-29 08:00")) == timedelta(hours=6)


@pytest.mark.parametrize(("minutes", "long"), [(599, False), (600, False), (601, True)])
def test_long_shift_is_strictly_over_ten_hours(minutes, long):
    assert is_long_shift(lasting("2026-11-02 08:00", minutes=minutes)) is long


# --- Maximum shift length -------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "refused"), [(779, False), (780, False), (781, True)])
def test_shift_may_last_13_hours_exactly(minutes, refused):
    reasons = wtr([], lasting("2026-11-02 08:00", minutes=minutes))
    assert reasons == (["wtr_max_shift_13h"] if refused else [])


def test_too_long_shift_message_gives_figures():
    reasons = check_working_time([], lasting("2026-11-02 08:00", hours=13, minutes=30))
    assert reasons[0].message == "This shift is 13.5 hours long; the limit is 13 hours for one shift."


def test_october_clock_change_night_is_13_hours_and_passes():
    night = shift("2026-10-24 20:00", "2026-10-25 08:00")
    assert night.duration == timedelta(hours=13)
    assert wtr([], night) == []


def test_october_clock_change_night_one_minute_longer_fails():
    assert wtr([], shift("2026-10-24 20:00", "2026-10-25 08:01")) == ["wtr_max_shift_13h"]


def test_march_clock_change_night_is_11_hours():
    night = shift("2026-03-28 20:00", "2026-03-29 08:00")
    assert night.duration == timedelta(hours=11)
    assert is_long_shift(night) and is_night_shift(night)
    assert wtr([], night) == []
    assert wtr([], shift("2026-03-28 18:00", "2026-03-29 08:00")) == []  # 13 h real


# --- Minimum rest ---------------------------------------------------------------------


@pytest.mark.parametrize(("start", "refused"), [("19:00", False), ("18:59", True)])
def test_rest_after_previous_shift_is_at_least_11_hours(start, refused):
    previous = shift("2026-11-02 06:00", "2026-11-02 08:00")
    new = shift(f"2026-11-02 {start}", "2026-11-02 22:00")
    assert wtr([previous], new) == (["wtr_min_rest_11h"] if refused else [])


@pytest.mark.parametrize(("end", "refused"), [("21:00", False), ("21:01", True)])
def test_rest_before_next_shift_is_at_least_11_hours(end, refused):
    following = shift("2026-11-03 08:00", "2026-11-03 16:00")
    new = shift("2026-11-02 12:00", f"2026-11-02 {end}")
    assert wtr([following], new) == (["wtr_min_rest_11h"] if refused else [])


def test_short_rest_message_names_the_previous_shift_in_london_time():
    previous = shift("2026-11-03 06:00", "2026-11-03 08:00")
    reasons = check_working_time([previous], shift("2026-11-03 17:00", "2026-11-03 22:00"))
    assert reasons == [Reason("wtr_min_rest_11h", (
        "You would have only 9 hours' rest after your shift ending Tue 3 Nov 08:00; "
        "at least 11 hours are needed."))]


def test_short_rest_on_both_sides_is_one_reason_with_both_figures():
    existing = [shift("2026-11-02 08:00", "2026-11-02 12:00"),
                shift("2026-11-03 06:00", "2026-11-03 10:00")]
    reasons = check_working_time(existing, shift("2026-11-02 18:00", "2026-11-02 22:00"))
    assert codes(reasons) == ["wtr_min_rest_11h"]
    assert "only 6 hours' rest after your shift ending Mon 2 Nov 12:00" in reasons[0].message
    assert "only 8 hours' rest before your shift starting Tue 3 Nov 06:00" in reasons[0].message


@pytest.mark.parametrize(
    ("previous_day", "start", "refused"),
    [("2026-10-24", "2026-10-25 06:00", False),  # 10 h on the clock, 11 h real
     ("2026-03-28", "2026-03-29 07:00", True)],  # 11 h on the clock, 10 h real
)
def test_rest_is_real_time_over_clock_changes(previous_day, start, refused):
    previous = shift(f"{previous_day} 16:00", f"{previous_day} 20:00")
    new = lasting(start, hours=8)
    assert wtr([previous], new) == (["wtr_min_rest_11h"] if refused else [])


def test_rest_message_figures_are_rounded_towards_the_limit():
    previous = shift("2026-11-02 06:00", "2026-11-02 08:00")
    reasons = check_working_time([previous], shift("2026-11-02 18:59", "2026-11-02 22:00"))
    assert "only 10.98 hours' rest" in reasons[0].message


# --- 72 hours in any 168 --------------------------------------------------------------

# Mon-Sat 08:00-18:00: 60 hours, 14 h rest between, runs of 6.
SIX_DAYS = daily("2026-11-02", 6, "08:00", "18:00")


@pytest.mark.parametrize(("end", "refused"), [("20:00", False), ("20:01", True), ("19:59", False)])
def test_72_hours_in_168_from_several_shifts(end, refused):
    new = shift("2026-11-08 08:00", f"2026-11-08 {end}")  # Sunday, the 7th shift
    assert wtr(SIX_DAYS, new) == (["wtr_max_72h_in_168h"] if refused else [])


@pytest.mark.parametrize(("end", "refused"), [("20:00", False), ("20:01", True)])
def test_72_hours_counts_shifts_after_a_new_first_shift(end, refused):
    existing = daily("2026-11-03", 6, "08:00", "18:00")  # Tue-Sun
    new = shift("2026-11-02 08:00", f"2026-11-02 {end}")  # Monday, before them all
    assert wtr(existing, new) == (["wtr_max_72h_in_168h"] if refused else [])


def test_72_hours_message_gives_figures():
    reasons = check_working_time(SIX_DAYS, shift("2026-11-08 05:30", "2026-11-08 20:00"))
    assert Reason("wtr_max_72h_in_168h",
                  "This would give you 74.5 hours of work in the 7 days from Mon 2 Nov 08:00; "
                  "the limit is 72 hours in any 7 days.") in reasons


# Mon, Tue, Wed, Fri, Sat 08:00-21:00: 65 hours in two runs of long shifts.
FIVE_LONG = [shift(f"2026-11-0{d} 08:00", f"2026-11-0{d} 21:00") for d in (2, 3, 4, 6, 7)]


def test_72_hours_message_rounds_a_minute_over_upwards():
    reasons = check_working_time(SIX_DAYS, shift("2026-11-08 08:00", "2026-11-08 20:01"))
    assert reasons[0].message == ("This would give you 72.02 hours of work in the 7 days from Mon 2 Nov 08:00; "
                                  "the limit is 72 hours in any 7 days.")


def test_only_the_part_of_a_shift_inside_168_hours_counts():
    # 65 + 8 = 73 hours in the calendar week, but at most 65 in any 168 hours.
    assert wtr(FIVE_LONG, shift("2026-11-09 08:00", "2026-11-09 16:00")) == []


@pytest.mark.parametrize(("start", "refused"), [("01:00", False), ("00:59", True)])
def test_window_that_cuts_an_old_shift_is_measured(start, refused):
    # Window Mon 2 Nov 09:00 - Mon 9 Nov 09:00: 12 h of the first shift + 52 + new.
    new = shift(f"2026-11-09 {start}", "2026-11-09 09:00")
    assert wtr(FIVE_LONG, new) == (["wtr_max_72h_in_168h"] if refused else [])


# --- Night shifts ------------------------------------------------------------------

# 22:00-07:00 nights: 9 h (not long), 15 h between them.
FOUR_NIGHTS = daily("2026-11-02", 4, "22:00", "07:00")  # Mon-Thu nights


def test_four_consecutive_nights_pass():
    assert wtr(FOUR_NIGHTS[:3], FOUR_NIGHTS[3]) == []


def test_fifth_consecutive_night_fails():
    fifth = shift("2026-11-06 22:00", "2026-11-07 07:00")
    reasons = check_working_time(FOUR_NIGHTS, fifth)
    assert reasons == [Reason("wtr_max_consecutive_nights",
                              "This would make 5 night shifts in a row for you, Mon 2 Nov to Fri 6 Nov; "
                              "the limit is 4 in a row.")]


def test_night_before_four_nights_extends_the_run_from_the_front():
    existing = daily("2026-11-03", 4, "22:00", "07:00")  # Tue-Fri
    new = shift("2026-11-02 22:00", "2026-11-03 07:00")  # Monday
    assert wtr(existing, new) == ["wtr_max_consecutive_nights"]


@pytest.mark.parametrize(
    ("existing_days", "refused"),
    [((0, 1, 3, 4), True),  # 2 + new + 2 = 5 nights
     ((0, 1, 3), False)],  # 2 + new + 1 = 4 nights
)
def test_night_joining_two_runs(existing_days, refused):
    nights = daily("2026-11-02", 5, "22:00", "07:00")
    new = nights[2]  # Wednesday
    existing = [nights[i] for i in existing_days]
    assert wtr(existing, new) == (["wtr_max_consecutive_nights"] if refused else [])


@pytest.mark.parametrize(("start", "refused"), [("06:00", False), ("05:59", True)])
def test_46_hours_rest_after_a_night(start, refused):
    night = shift("2026-11-02 20:00", "2026-11-03 08:00")  # ends Tue 08:00
    new = shift(f"2026-11-05 {start}", "2026-11-05 14:00")  # Thursday
    assert wtr([night], new) == (["wtr_rest_after_nights_46h"] if refused else [])


@pytest.mark.parametrize(("start", "refused"), [("20:00", False), ("20:01", True)])
def test_new_night_needs_46_hours_before_the_next_shift(start, refused):
    following = shift("2026-11-05 06:00", "2026-11-05 14:00")
    new = lasting(f"2026-11-02 {start}", hours=12)
    assert wtr([following], new) == (["wtr_rest_after_nights_46h"] if refused else [])


def test_46_hours_rest_after_the_last_of_four_nights():
    new = shift("2026-11-07 08:00", "2026-11-07 16:00")  # 25 h after Fri 07:00
    reasons = check_working_time(FOUR_NIGHTS, new)
    assert reasons == [Reason("wtr_rest_after_nights_46h", (
        "You would have only 25 hours' rest after your night shift ending Fri 6 Nov 07:00; "
        "at least 46 hours are needed before this shift."))]


@pytest.mark.parametrize(("day", "refused"), [("2026-11-04", True), ("2026-11-05", False)])
def test_night_after_a_day_off_is_not_a_continuing_run(day, refused):
    first = shift("2026-11-02 22:00", "2026-11-03 07:00")  # ends Tue 07:00
    new = lasting(f"{day} 22:00", hours=9)  # Wed: 39 h later; Thu: 63 h later
    assert wtr([first], new) == (["wtr_rest_after_nights_46h"] if refused else [])


def test_consecutive_means_london_dates_not_utc_dates():
    # Second night starts Wed 00:30 BST, which is still Tuesday in UTC.
    first = shift("2026-06-22 23:00", "2026-06-23 07:00")
    second = shift("2026-06-24 00:30", "2026-06-24 08:00")
    assert wtr([first], second) == ["wtr_rest_after_nights_46h"]


# --- Long shifts ------------------------------------------------------------------

# 08:00-20:00: 12 h, long, not night, 12 h between them.
FOUR_LONG = daily("2026-11-02", 4, "08:00", "20:00")  # Mon-Thu, ends Thu 20:00


def test_four_consecutive_long_shifts_pass():
    assert wtr(FOUR_LONG[:3], FOUR_LONG[3]) == []


def test_fifth_consecutive_long_shift_fails():
    fifth = shift("2026-11-06 08:00", "2026-11-06 20:00")
    reasons = check_working_time(FOUR_LONG, fifth)
    assert codes(reasons) == ["wtr_max_consecutive_long_shifts"]
    assert ("This would make 5 long shifts (over 10 hours) in a row for you, Mon 2 Nov to Fri 6 Nov; "
            "the limit is 4 in a row.") == reasons[0].message


def test_long_shift_before_four_long_extends_the_run_from_the_front():
    existing = daily("2026-11-03", 4, "08:00", "20:00")
    new = shift("2026-11-02 08:00", "2026-11-02 20:00")
    assert wtr(existing, new) == ["wtr_max_consecutive_long_shifts"]


@pytest.mark.parametrize(("start", "refused"), [("20:00", False), ("19:59", True)])
def test_48_hours_rest_after_four_long_shifts(start, refused):
    new = lasting(f"2026-11-07 {start}", hours=8)  # Saturday, 48 h after Thu 20:00
    assert wtr(FOUR_LONG, new) == (["wtr_max_consecutive_long_shifts"] if refused else [])


def test_short_shift_the_day_after_four_long_needs_48_hours_rest():
    new = shift("2026-11-06 08:00", "2026-11-06 18:00")  # 10 h, not long
    reasons = check_working_time(FOUR_LONG, new)
    assert reasons == [Reason("wtr_max_consecutive_long_shifts", (
        "You would have only 12 hours' rest after 4 long shifts (over 10 hours) in a row ending "
        "Thu 5 Nov 20:00; at least 48 hours are needed before this shift."))]


def test_long_shift_completing_a_run_of_four_too_close_to_the_next_shift():
    existing = [*FOUR_LONG[:3], shift("2026-11-06 08:00", "2026-11-06 12:00")]
    assert wtr(existing, FOUR_LONG[3]) == ["wtr_max_consecutive_long_shifts"]
    assert wtr(FOUR_LONG[:3], FOUR_LONG[3]) == []  # without the next shift


# --- Consecutive shifts ----------------------------------------------------------

# 09:00-17:00: 8 h, 16 h between them.
SEVEN_DAYS = daily("2026-11-02", 7, "09:00", "17:00")  # Mon-Sun, ends Sun 17:00


def test_seven_consecutive_shifts_pass():
    assert wtr(SEVEN_DAYS[:6], SEVEN_DAYS[6]) == []


def test_eighth_consecutive_shift_fails():
    eighth = shift("2026-11-09 09:00", "2026-11-09 17:00")
    reasons = check_working_time(SEVEN_DAYS, eighth)
    assert codes(reasons) == ["wtr_max_consecutive_shifts"]
    assert "This would make 8 shifts in a row for you, Mon 2 Nov to Mon 9 Nov; the limit is 7 in a row." == \
        reasons[0].message


def test_shift_joining_two_runs_into_eight_fails():
    eight = daily("2026-11-02", 8, "09:00", "17:00")
    assert wtr(eight[:3] + eight[4:], eight[3]) == ["wtr_max_consecutive_shifts"]
    assert wtr(eight[:3] + eight[4:7], eight[3]) == []


def test_two_shifts_on_one_date_both_count():
    existing = [*SEVEN_DAYS[:6], shift("2026-11-08 06:00", "2026-11-08 08:00")]
    new = shift("2026-11-08 19:00", "2026-11-08 22:00")  # 8th shift, 11 h rest
    assert wtr(existing, new) == ["wtr_max_consecutive_shifts"]


@pytest.mark.parametrize(("start", "refused"), [("17:00", False), ("16:59", True)])
def test_48_hours_rest_after_seven_consecutive_shifts(start, refused):
    new = lasting(f"2026-11-10 {start}", hours=4)  # Tuesday, 48 h after Sun 17:00
    assert wtr(SEVEN_DAYS, new) == (["wtr_max_consecutive_shifts"] if refused else [])


def test_shift_before_seven_needs_48_hours_rest_before_them():
    existing = daily("2026-11-04", 7, "09:00", "17:00")  # Wed-Tue
    assert wtr(existing, shift("2026-11-02 09:00", "2026-11-02 11:00")) == []
    assert wtr(existing[:6], shift("2026-11-02 09:00", "2026-11-02 17:00")) == []
    new = shift("2026-11-03 09:00", "2026-11-03 17:00")  # joins them: 8
    assert wtr(existing, new) == ["wtr_max_consecutive_shifts"]


# --- Violations the new shift is not part of ---------------------------------------

PAST_MESS = [
    shift("2026-11-02 06:00", "2026-11-02 20:00"),  # 14 h
    shift("2026-11-03 02:00", "2026-11-03 12:00"),  # 6 h rest
    *daily("2026-11-04", 5, "22:00", "07:00"),  # 5 nights, then short rest
    shift("2026-11-09 12:00", "2026-11-09 23:00"),
]


def test_old_violations_far_from_the_new_shift_are_not_reported():
    assert wtr(PAST_MESS, shift("2026-11-23 09:00", "2026-11-23 17:00")) == []


def test_old_violations_next_to_a_sound_new_shift_are_not_reported():
    new = shift("2026-11-12 09:00", "2026-11-12 17:00")  # 58 h after the last
    assert wtr(PAST_MESS, new) == []


def test_old_short_rest_after_long_runs_is_not_reported():
    existing = [*FOUR_LONG, shift("2026-11-06 08:00", "2026-11-06 12:00")]
    assert wtr(existing, shift("2026-11-11 09:00", "2026-11-11 17:00")) == []
    eight = daily("2026-11-02", 8, "09:00", "12:00")
    assert wtr(eight, shift("2026-11-14 09:00", "2026-11-14 17:00")) == []


def test_old_72_hour_week_is_not_reported_for_a_shift_a_week_later():
    heavy = daily("2026-11-02", 7, "08:00", "19:00")  # 77 h, long runs of 7
    assert wtr(heavy, shift("2026-11-16 09:00", "2026-11-16 17:00")) == []


def test_several_wtr_codes_come_in_contract_order():
    seventh = shift("2026-11-08 04:00", "2026-11-08 19:00")  # 15 h, 10 h rest, 75 h
    assert wtr(SIX_DAYS, seventh) == [
        "wtr_max_shift_13h", "wtr_min_rest_11h", "wtr_max_72h_in_168h"]


# --- The 48-hour average over 26 weeks ----------------------------------------------------------
# 26 weeks of 48 h from Mon 2 Nov 2026: 1,248 h, the last Friday (30 Apr 2027, 08:00-16:00) left out
# to be the new shift. The whole rota lies within 182 days, clock change in March included.

WEEKS_48 = working_weeks("2026-11-02", 26)
LAST_FRIDAY = "2027-04-30"


@pytest.mark.parametrize(("end", "refused"), [("16:00", False), ("16:01", True), ("15:59", False)])
def test_average_of_48_hours_over_26_weeks_at_exactly_1248_hours(end, refused):
    existing = WEEKS_48[:-1]
    new = shift(f"{LAST_FRIDAY} 08:00", f"{LAST_FRIDAY} {end}")
    assert wtr(existing, new) == (["wtr_average_48h"] if refused else [])


def test_average_message_gives_figures():
    reasons = check_working_time(WEEKS_48[:-1], shift(f"{LAST_FRIDAY} 08:00", f"{LAST_FRIDAY} 16:01"))
    expected = ("This would give you 1248.02 hours of work in the 182 days (26 weeks) from Mon 2 Nov 08:00; "
                "the limit is 1248 hours (48 hours a week on average).")
    assert Reason("wtr_average_48h", expected) in reasons


@pytest.mark.parametrize(("end", "refused"), [("18:00", False), ("18:01", True)])
def test_average_counts_the_shifts_after_a_new_first_shift(end, refused):
    existing = WEEKS_48[1:]  # the new shift is the first Monday
    new = shift("2026-11-02 08:00", f"2026-11-02 {end}")
    assert wtr(existing, new) == (["wtr_average_48h"] if refused else [])


def test_every_182_day_window_holding_part_of_the_shift_is_measured():
    # The window from the first Monday's start (08:00 GMT) runs to Mon 3 May 08:00 GMT = 09:00 BST: it holds
    # all 1,248 h and the new shift's first hour.
    assert wtr(WEEKS_48, shift("2027-05-03 08:00", "2027-05-03 18:00")) == ["wtr_average_48h"]
    # From 19:00 BST no window holding the shift reaches back to the first Monday (2 Nov, 18:00 GMT).
    assert wtr(WEEKS_48, shift("2027-05-03 19:00", "2027-05-03 21:00")) == []


@pytest.mark.parametrize(("end", "opted_out", "refused"), [
    ("16:00", True, False), ("16:01", True, True), ("16:00", False, True)])
def test_an_opt_out_allows_56_hours_a_week_1456_in_26_weeks(end, opted_out, refused):
    existing = working_weeks("2026-11-02", 26, saturday=True)[:-1]  # the last Saturday is the new shift
    new = shift("2027-05-01 08:00", f"2027-05-01 {end}")
    reasons = check_working_time(existing, new, opted_out=opted_out)
    assert codes(reasons) == (["wtr_average_48h"] if refused else [])
    if refused and opted_out:
        assert reasons[0].message.endswith("the limit is 1456 hours (56 hours a week on average with the opt-out).")


def test_a_recorded_opt_out_reaches_the_claim_checks():
    from datetime import date as day

    from bankapp.shifts.rules import DoctorFacts, ShiftFacts, check_claim
    from bankapp.staff.documents import DOCUMENT_KINDS

    documents = dict.fromkeys(DOCUMENT_KINDS, day(2030, 1, 1))
    new = shift(f"{LAST_FRIDAY} 08:00", f"{LAST_FRIDAY} 16:01")
    facts = ShiftFacts(new.start, new.end, grade_rank=1, site_id=1)
    assert codes(check_claim(DoctorFacts(5, None, documents), facts, WEEKS_48[:-1])) == ["wtr_average_48h"]
    assert check_claim(DoctorFacts(5, None, documents, wtr_opt_out=True), facts, WEEKS_48[:-1]) == []


def test_worked_time_between_any_two_instants_is_the_sum_of_the_parts_inside():
    """The binary-search sum agrees with adding up each shift's part, overlapping shifts included."""
    import random

    from bankapp.shifts.working_time import _WorkedTime

    rng = random.Random(20)
    base = at("2026-11-02 00:00")
    shifts = []
    for _ in range(60):
        start = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        shifts.append(lasting_from(start, rng.randrange(1, 14 * 60)))
    worked = _WorkedTime(shifts)
    for _ in range(300):
        a = base + timedelta(minutes=rng.randrange(-600, 60 * 24 * 62))
        b = a + timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        naive = sum((max(min(iv.end, b) - max(iv.start, a), timedelta()) for iv in shifts), timedelta())
        assert worked.between(a, b) == naive
