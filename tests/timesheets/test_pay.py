"""Pay by hand-computed examples: approval prices the actual times with the contract's rules.

Card (every grade): weekday day 50.00, weekday night 62.50, weekend day 70.00,
weekend night 83.33, bank holiday 100.00 per hour. Day is 07:00-21:00 London.
Breaks come off the bands in proportion (largest remainder, ties to the band
listed first), each line is rate × minutes / 60 rounded half-up to the penny.
"""
from datetime import UTC, date, datetime

import pytest
import time_machine

from bankapp.extensions import db
from tests.timesheets.helpers import approve, make_card, submit, worked

AFTER = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _after_the_shifts():
    with time_machine.travel(AFTER, tick=False):
        yield


@pytest.fixture
def card(world):
    card = make_card(world)
    db.session.commit()
    return card


def pay_for(world, api, start, end, break_minutes=0, **kw):
    booking = worked(world, start, end, **kw)
    ts = approve(submit(booking, break_minutes=break_minutes), world.approver_a)
    return api(world.doctor).get(f"/api/v1/timesheets/{ts.id}").get_json()["pay"]


def lines(pay):
    return [(line["band"], line["hours"], line["rate"], line["amount"]) for line in pay["lines"]]


CASES = [
    # Tue 13 Oct 2026, 08:00-17:00: nine weekday-day hours.
    pytest.param("2026-10-13T08:00", "2026-10-13T17:00", 0,
                 [("weekday_day", "9.00", "50.00", "450.00")], "9.00", "450.00", id="weekday-day"),
    pytest.param("2026-10-13T08:00", "2026-10-13T17:00", 30,
                 [("weekday_day", "8.50", "50.00", "425.00")], "8.50", "425.00", id="weekday-day-break"),
    # Wed 14 -> Thu 15 Oct 20:00-08:00: 20-21 and 07-08 day (120 min), 21-07 night (600 min).
    pytest.param("2026-10-14T20:00", "2026-10-15T08:00", 0,
                 [("weekday_day", "2.00", "50.00", "100.00"), ("weekday_night", "10.00", "62.50", "625.00")],
                 "12.00", "725.00", id="weekday-night-across-midnight"),
    # 30 min break: 30×120/720 = 5, 30×600/720 = 25 → 115 and 575 minutes.
    # 50×115/60 = 95.833 → 95.83; 62.50×575/60 = 598.958 → 598.96.
    pytest.param("2026-10-14T20:00", "2026-10-15T08:00", 30,
                 [("weekday_day", "1.92", "50.00", "95.83"), ("weekday_night", "9.58", "62.50", "598.96")],
                 "11.50", "694.79", id="weekday-night-break"),
    # Sat 17 Oct 12:00-22:00: weekend day 540, weekend night 60.
    pytest.param("2026-10-17T12:00", "2026-10-17T22:00", 0,
                 [("weekend_day", "9.00", "70.00", "630.00"), ("weekend_night", "1.00", "83.33", "83.33")],
                 "10.00", "713.33", id="weekend"),
    # 45 min break: 40.5 and 4.5 → 40 + 4, the spare minute to the tie's first band (weekend day): 41 and 4.
    # 70×499/60 = 582.167 → 582.17; 83.33×56/60 = 77.7747 → 77.77.
    pytest.param("2026-10-17T12:00", "2026-10-17T22:00", 45,
                 [("weekend_day", "8.32", "70.00", "582.17"), ("weekend_night", "0.93", "83.33", "77.77")],
                 "9.25", "659.94", id="weekend-break-tie"),
    # Sun 30 Aug 20:00 -> Mon 31 Aug 2026 (summer bank holiday) 08:00.
    pytest.param("2026-08-30T20:00", "2026-08-31T08:00", 0,
                 [("weekend_day", "1.00", "70.00", "70.00"), ("weekend_night", "3.00", "83.33", "249.99"),
                  ("bank_holiday", "8.00", "100.00", "800.00")], "12.00", "1119.99", id="bank-holiday"),
    # 60 min break: 5, 15 and 40 minutes off → 55, 165, 440.
    pytest.param("2026-08-30T20:00", "2026-08-31T08:00", 60,
                 [("weekend_day", "0.92", "70.00", "64.17"), ("weekend_night", "2.75", "83.33", "229.16"),
                  ("bank_holiday", "7.33", "100.00", "733.33")], "11.00", "1026.66", id="bank-holiday-break"),
    # Sat 24 -> Sun 25 Oct 2026, clocks go back: 13 real hours; 21:00 BST to 07:00 GMT is 11 h of night.
    pytest.param("2026-10-24T20:00", "2026-10-25T08:00", 0,
                 [("weekend_day", "2.00", "70.00", "140.00"), ("weekend_night", "11.00", "83.33", "916.63")],
                 "13.00", "1056.63", id="october-clock-change-13h"),
    # 30 min break: 30×120/780 = 4 r480, 30×660/780 = 25 r300 → spare minute to weekend day: 115 and 635.
    pytest.param("2026-10-24T20:00", "2026-10-25T08:00", 30,
                 [("weekend_day", "1.92", "70.00", "134.17"), ("weekend_night", "10.58", "83.33", "881.91")],
                 "12.50", "1016.08", id="october-clock-change-break"),
    # Sat 28 -> Sun 29 Mar 2026, clocks go forward: 11 real hours; 21:00 GMT to 07:00 BST is 9 h.
    pytest.param("2026-03-28T20:00", "2026-03-29T08:00", 0,
                 [("weekend_day", "2.00", "70.00", "140.00"), ("weekend_night", "9.00", "83.33", "749.97")],
                 "11.00", "889.97", id="march-clock-change-11h"),
    # 30 min break: 30×120/660 = 5 r300, 30×540/660 = 24 r360 → spare minute to night: 115 and 515.
    pytest.param("2026-03-28T20:00", "2026-03-29T08:00", 30,
                 [("weekend_day", "1.92", "70.00", "134.17"), ("weekend_night", "8.58", "83.33", "715.25")],
                 "10.50", "849.42", id="march-clock-change-break"),
]


@pytest.mark.parametrize(("start", "end", "break_minutes", "expected_lines", "hours", "total"), CASES)
def test_approval_pays_hand_computed_amounts(world, api, card, start, end, break_minutes, expected_lines, hours,
                                             total):
    pay = pay_for(world, api, start, end, break_minutes)
    assert lines(pay) == expected_lines
    assert pay["hours"] == hours
    assert pay["total"] == total


def test_october_night_pays_thirteen_hours_not_twelve(world, api, card):
    pay = pay_for(world, api, "2026-10-24T20:00", "2026-10-25T08:00")
    assert pay["hours"] == "13.00"


def test_march_night_pays_eleven_hours(world, api, card):
    pay = pay_for(world, api, "2026-03-28T20:00", "2026-03-29T08:00")
    assert pay["hours"] == "11.00"


def test_flat_rate_shift_pays_the_flat_rate_in_every_band(world, api, card):
    pay = pay_for(world, api, "2026-10-14T20:00", "2026-10-15T08:00", hourly_rate="90.00")
    assert lines(pay) == [("weekday_day", "2.00", "90.00", "180.00"), ("weekday_night", "10.00", "90.00", "900.00")]
    assert pay["total"] == "1080.00"


def test_flat_rate_shift_with_break(world, api, card):
    pay = pay_for(world, api, "2026-10-14T20:00", "2026-10-15T08:00", 30, hourly_rate="90.00")
    assert lines(pay) == [("weekday_day", "1.92", "90.00", "172.50"), ("weekday_night", "9.58", "90.00", "862.50")]
    assert pay["total"] == "1035.00"


def test_a_card_published_after_the_booking_prices_the_timesheet(world, api, card):
    later = {band: rate + 5 for band, rate in make_card_rates().items()}
    make_card(world, date(2026, 10, 1), later)
    db.session.commit()
    pay = pay_for(world, api, "2026-10-13T08:00", "2026-10-13T17:00")
    assert lines(pay) == [("weekday_day", "9.00", "55.00", "495.00")]


def test_actual_times_are_paid_not_booked_times(world, api, card):
    booking = worked(world, "2026-10-13T08:00", "2026-10-13T17:00")
    ts = approve(submit(booking, end="2026-10-13T18:30"), world.approver_a)
    pay = api(world.doctor).get(f"/api/v1/timesheets/{ts.id}").get_json()["pay"]
    assert lines(pay) == [("weekday_day", "10.50", "50.00", "525.00")]


def test_pay_lines_sum_to_the_total_exactly(world, api, card):
    pay = pay_for(world, api, "2026-08-30T20:00", "2026-08-31T08:00", 7)
    from decimal import Decimal

    assert sum(Decimal(line["amount"]) for line in pay["lines"]) == Decimal(pay["total"])


def test_no_rate_card_refuses_approval(world, api):
    booking = worked(world, "2026-10-13T08:00", "2026-10-13T17:00")
    ts = submit(booking)
    resp = api(world.approver_a).post(f"/api/v1/timesheets/{ts.id}/approve", json={})
    assert resp.status_code == 422
    assert [r["code"] for r in resp.get_json()["reasons"]] == ["no_rate_card"]


def make_card_rates():
    from tests.timesheets.helpers import RATES

    return dict(RATES)
