"""Pay estimates of shifts on real rows, hand-computed (ST3: weekday day 60, weekday night 80,
weekend day 70, weekend night 90, bank holiday 100 £/h)."""
from datetime import date

import time_machine

from bankapp.extensions import db
from bankapp.rates import services
from bankapp.shifts import pricing
from tests.factories import london, make_booking, make_shift
from tests.rates.cards import d, make_card


def _shift(world, start, end, grade="ST3", **kw):
    return make_shift(department=world.dept_a, grade=world.grades[grade], start=start, end=end,
                      posted_by=world.coordinator_a, **kw)


def _lines(breakdown):
    return [(line.band, str(line.hours), str(line.amount)) for line in breakdown.lines]


def test_clocks_going_back_night_pays_thirteen_hours(world):
    make_card(world.admin)
    shift = _shift(world, "2026-10-24T20:00", "2026-10-25T08:00")
    pay = pricing.estimate_pay(shift)
    assert _lines(pay) == [("weekend_day", "2.00", "140.00"), ("weekend_night", "11.00", "990.00")]
    assert pay.total == d("1130.00") and pay.hours == d("13.00")


def test_clocks_going_forward_night_pays_eleven_hours(world):
    make_card(world.admin)
    shift = _shift(world, "2026-03-28T20:00", "2026-03-29T08:00")
    pay = pricing.estimate_pay(shift)
    assert _lines(pay) == [("weekend_day", "2.00", "140.00"), ("weekend_night", "9.00", "810.00")]
    assert pay.total == d("950.00")


def test_night_into_spring_bank_holiday_pays_holiday_rate_from_midnight(world):
    make_card(world.admin)
    shift = _shift(world, "2026-05-24T20:00", "2026-05-25T08:00")  # Mon 25 May 2026 is a bank holiday
    pay = pricing.estimate_pay(shift)
    assert _lines(pay) == [("weekend_day", "1.00", "70.00"), ("weekend_night", "3.00", "270.00"),
                           ("bank_holiday", "8.00", "800.00")]
    assert pay.total == d("1140.00")


def test_friday_night_into_saturday_splits_four_bands(world):
    make_card(world.admin)
    shift = _shift(world, "2026-10-02T20:00", "2026-10-03T08:00")
    pay = pricing.estimate_pay(shift)
    assert _lines(pay) == [("weekday_day", "1.00", "60.00"), ("weekday_night", "3.00", "240.00"),
                           ("weekend_day", "1.00", "70.00"), ("weekend_night", "7.00", "630.00")]
    assert pay.total == d("1000.00")


def test_boxing_day_on_saturday_and_its_substitute_monday_both_pay_holiday_rate(world):
    make_card(world.admin)
    saturday = pricing.estimate_pay(_shift(world, "2026-12-26T09:00", "2026-12-26T17:00"))
    monday = pricing.estimate_pay(_shift(world, "2026-12-28T09:00", "2026-12-28T17:00"))
    assert _lines(saturday) == [("bank_holiday", "8.00", "800.00")]
    assert _lines(monday) == [("bank_holiday", "8.00", "800.00")]


def test_flat_rate_shift_pays_flat_rate_in_every_band(world):
    make_card(world.admin)
    shift = _shift(world, "2026-10-24T20:00", "2026-10-25T08:00", hourly_rate=d("95.55"))
    pay = pricing.estimate_pay(shift)
    # 2 h × 95.55 = 191.10; 11 h × 95.55 = 1051.05
    assert _lines(pay) == [("weekend_day", "2.00", "191.10"), ("weekend_night", "11.00", "1051.05")]
    assert pay.total == d("1242.15")


def test_each_line_rounds_half_up_to_the_penny(world):
    make_card(world.admin)
    shift = _shift(world, "2026-10-07T09:00", "2026-10-07T16:20", hourly_rate=d("65.57"))
    # 440 min × 65.57 / 60 = 480.8466… → 480.85
    assert pricing.estimate_pay(shift).total == d("480.85")


def test_no_card_in_force_gives_no_estimate(world):
    make_card(world.admin, date(2027, 1, 1))
    assert pricing.estimate_pay(_shift(world, "2026-10-07T09:00", "2026-10-07T17:00")) is None


def test_custom_day_hours_move_the_band_boundary(world, app, monkeypatch):
    make_card(world.admin)
    monkeypatch.setitem(app.config, "DAY_END", "19:00")
    pay = pricing.estimate_pay(_shift(world, "2026-10-07T17:00", "2026-10-07T21:00"))
    assert _lines(pay) == [("weekday_day", "2.00", "120.00"), ("weekday_night", "2.00", "160.00")]


# --- which card ----------------------------------------------------------------------


def test_card_in_force_is_the_latest_on_or_before_the_london_date_of_the_start(world):
    old = make_card(world.admin, date(2026, 1, 1))
    new = make_card(world.admin, date(2026, 6, 1), bump=6)
    # 23:30 BST on 31 May is 22:30 UTC: still 31 May in London, so the old card.
    assert services.card_in_force(london("2026-05-31T23:30")).id == old.id
    assert services.card_in_force(london("2026-06-01T00:00")).id == new.id
    assert services.card_in_force(london("2025-12-31T23:59")) is None


def test_shift_crossing_into_a_new_card_is_priced_by_the_card_at_its_start(world):
    make_card(world.admin, date(2026, 1, 1))
    make_card(world.admin, date(2026, 6, 1), bump=6)
    pay = pricing.estimate_pay(_shift(world, "2026-05-31T20:00", "2026-06-01T08:00"))  # Sun → Mon
    # Old card (ST3 day 60), not the new one (66), though most hours fall on 1 June.
    assert _lines(pay) == [("weekday_day", "1.00", "60.00"), ("weekday_night", "7.00", "560.00"),
                           ("weekend_day", "1.00", "70.00"), ("weekend_night", "3.00", "270.00")]
    assert pay.total == d("960.00")


def test_a_card_published_after_the_booking_prices_the_booked_shift(world):
    with time_machine.travel("2026-03-01T12:00:00+00:00", tick=False):
        make_card(world.admin, date(2026, 4, 1))
        booked = _shift(world, "2026-07-01T09:00", "2026-07-01T17:00")
        make_booking(booked, world.doctor)
        db.session.flush()
        assert pricing.estimate_pay(booked).total == d("480.00")  # 8 h × 60
        newer = make_card(world.admin, date(2026, 6, 1), bump=6)
        db.session.flush()
    assert pricing.estimate_pay(booked).total == d("528.00")  # 8 h × 66: the card in force at its start
    rates, flat = pricing.rates_for_shift(booked)
    assert rates["weekday_day"] == d("66.00") and flat is None
    assert services.card_in_force(booked.start_at).id == newer.id


def test_rates_for_a_flat_rate_shift_is_the_flat_rate(world):
    make_card(world.admin)
    shift = _shift(world, "2026-07-01T09:00", "2026-07-01T17:00", hourly_rate=d("99.00"))
    make_booking(shift, world.doctor)
    assert pricing.rates_for_shift(shift) == (None, d("99.00"))


def test_a_booked_shift_uses_the_card_in_force_at_the_start(world):
    make_card(world.admin)
    booking = make_booking(_shift(world, "2026-07-01T09:00", "2026-07-01T17:00"), world.doctor)
    rates, flat = pricing.rates_for_shift(booking.shift)
    assert rates["bank_holiday"] == d("100.00") and flat is None


def test_estimate_pays_prices_a_list_as_estimate_pay_does_each_shift(world):
    with time_machine.travel("2026-03-01T12:00:00+00:00", tick=False):
        make_card(world.admin, date(2026, 4, 1))
        booked = _shift(world, "2026-07-01T09:00", "2026-07-01T17:00")
        make_booking(booked, world.doctor)
        before_new_card = _shift(world, "2026-05-02T09:00", "2026-05-02T17:00")
        make_card(world.admin, date(2026, 6, 1), bump=6)
        shifts = [booked, before_new_card, _shift(world, "2026-07-03T20:00", "2026-07-04T08:00"),
                  _shift(world, "2026-07-03T20:00", "2026-07-04T08:00", grade="FY1"),  # same slot, other rates
                  _shift(world, "2026-07-03T09:00", "2026-07-03T17:00", hourly_rate=d("99.00")),
                  _shift(world, "2026-05-01T09:00", "2026-05-01T17:00", grade="FY1"),
                  _shift(world, "2026-03-01T09:00", "2026-03-01T17:00")]  # before any card
        db.session.flush()
    together = pricing.estimate_pays(shifts)
    assert together == {s.id: pricing.estimate_pay(s) for s in shifts}
    assert together[booked.id].total == d("528.00") and together[before_new_card.id].total == d("560.00")
    assert together[shifts[-1].id] is None
