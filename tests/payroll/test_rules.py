"""ESR lines by the London date they were worked: the pure split of one approved pay line."""
from datetime import date
from decimal import Decimal

import pytest

from bankapp.payroll.rules import DayPart, split_by_work_date
from bankapp.rates.rules import largest_remainder
from bankapp.timeutil import minutes_by_date_and_band
from tests.factories import london

SAT, SUN = date(2026, 10, 24), date(2026, 10, 25)


def test_a_night_across_midnight_is_one_part_per_date():
    worked = minutes_by_date_and_band(london("2026-10-13T20:00"), london("2026-10-14T08:00"))
    assert worked == {(date(2026, 10, 13), "weekday_day"): 60, (date(2026, 10, 13), "weekday_night"): 180,
                      (date(2026, 10, 14), "weekday_night"): 420, (date(2026, 10, 14), "weekday_day"): 60}
    parts = split_by_work_date(band="weekday_night", minutes=600, amount=Decimal("625.00"), worked=worked,
                               fallback=date(2026, 10, 13))
    assert parts == [DayPart(date(2026, 10, 13), 180, Decimal("187.50")),
                     DayPart(date(2026, 10, 14), 420, Decimal("437.50"))]


def test_the_night_the_clocks_go_back_counts_eight_real_hours_on_sunday():
    worked = minutes_by_date_and_band(london("2026-10-24T20:00"), london("2026-10-25T08:00"))
    assert worked[(SAT, "weekend_night")] == 180 and worked[(SUN, "weekend_night")] == 480


def test_the_night_the_clocks_go_forward_counts_six_real_hours_on_sunday():
    worked = minutes_by_date_and_band(london("2027-03-27T20:00"), london("2027-03-28T08:00"))
    assert worked[(date(2027, 3, 27), "weekend_night")] == 180
    assert worked[(date(2027, 3, 28), "weekend_night")] == 360


def test_a_break_comes_off_every_date_of_the_band_in_proportion_and_pennies_add_up():
    worked = {(SAT, "weekend_night"): 180, (SUN, "weekend_night"): 480}
    parts = split_by_work_date(band="weekend_night", minutes=635, amount=Decimal("881.91"), worked=worked,
                               fallback=SAT)
    assert [(p.work_date, p.minutes, p.amount) for p in parts] == [
        (SAT, 173, Decimal("240.27")), (SUN, 462, Decimal("641.64"))]
    assert sum(p.amount for p in parts) == Decimal("881.91")


def test_a_tie_of_minutes_goes_to_the_earlier_date():
    worked = {(SAT, "weekend_day"): 60, (SUN, "weekend_day"): 60}
    parts = split_by_work_date(band="weekend_day", minutes=115, amount=Decimal("134.17"), worked=worked,
                               fallback=SAT)
    assert [(p.minutes, p.amount) for p in parts] == [(58, Decimal("67.67")), (57, Decimal("66.50"))]


def test_a_band_not_worked_on_any_date_stays_one_line_on_the_start_date():
    parts = split_by_work_date(band="bank_holiday", minutes=60, amount=Decimal("100.00"),
                               worked={(SAT, "weekend_day"): 60}, fallback=SAT)
    assert parts == [DayPart(SAT, 60, Decimal("100.00"))]


def test_a_date_left_with_no_paid_minutes_gives_no_line():
    worked = {(SAT, "weekend_night"): 1, (SUN, "weekend_night"): 599}
    parts = split_by_work_date(band="weekend_night", minutes=100, amount=Decimal("150.00"), worked=worked,
                               fallback=SAT)
    assert parts == [DayPart(SUN, 100, Decimal("150.00"))]


@pytest.mark.parametrize(("total", "weights", "shares"), [
    (20, [60, 60, 60], [7, 7, 6]), (0, [5, 5], [0, 0]), (3, [0, 0], [0, 0]), (10, [1, 0, 1], [5, 0, 5]),
    (7, [2, 1], [5, 2]), (1, [1, 1, 1], [1, 0, 0])])
def test_largest_remainder_adds_up_and_favours_the_earlier(total, weights, shares):
    assert largest_remainder(total, weights) == shares
