"""Pricing: break apportioning, pay lines, rate violations, agency caps.

Amounts are worked out by hand in the comments.
"""

from datetime import time
from decimal import Decimal as D

import pytest

from bankapp.rates.rules import (
    PayBreakdown,
    PayLine,
    agency_cap_excess,
    apportion_break,
    is_rate_violation,
    percent_over,
    percent_words,
    price_lines,
    price_shift,
    required_role_for_totals,
)
from bankapp.timeutil import parse_datetime

CARD = {
    "weekday_day": D("50.00"),
    "weekday_night": D("60.00"),
    "weekend_day": D("60.00"),
    "weekend_night": D("70.00"),
    "bank_holiday": D("90.00"),
}

# --- apportion_break --------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "break_minutes", "expected"),
    [
        pytest.param(
            {"weekday_day": 60, "weekday_night": 60, "weekend_day": 60},
            30,
            {"weekday_day": 50, "weekday_night": 50, "weekend_day": 50},
            id="even split, no remainder",
        ),
        pytest.param(
            # 20 x 60/180 = 6.67 each: floors 6/6/6, 2 owed, equal remainders
            # → the first two bands in BANDS order give the extra minute.
            {"weekday_day": 60, "weekday_night": 60, "weekend_day": 60},
            20,
            {"weekday_day": 53, "weekday_night": 53, "weekend_day": 54},
            id="tie broken by BANDS order",
        ),
        pytest.param(
            # 45 x 100/300 = 15, 45 x 200/300 = 30
            {"weekday_day": 100, "weekday_night": 200},
            45,
            {"weekday_day": 85, "weekday_night": 170},
            id="exact shares",
        ),
        pytest.param(
            # 50 x 100/300 = 16.67 (rem 200), 50 x 200/300 = 33.33 (rem 100)
            # floors 16/33, 1 owed → largest remainder: weekday_day
            {"weekday_day": 100, "weekday_night": 200},
            50,
            {"weekday_day": 83, "weekday_night": 167},
            id="largest remainder",
        ),
        pytest.param(
            # 10 x 10/30 = 3.33 (rem 10), 10 x 20/30 = 6.67 (rem 20)
            # the later band has the larger remainder and wins over BANDS order
            {"weekday_day": 10, "weekend_night": 20},
            10,
            {"weekday_day": 7, "weekend_night": 13},
            id="larger remainder beats BANDS order",
        ),
        pytest.param(
            # October night 120/660, break 30: 4.62 (rem 480), 25.38 (rem 300)
            {"weekend_day": 120, "weekend_night": 660},
            30,
            {"weekend_day": 115, "weekend_night": 635},
            id="clock change night",
        ),
        pytest.param(
            {"weekday_day": 1, "bank_holiday": 1},
            1,
            {"bank_holiday": 1},
            id="half a minute each: first band in BANDS order",
        ),
        pytest.param(
            {"weekday_day": 100, "weekday_night": 0},
            0,
            {"weekday_day": 100},
            id="no break keeps minutes and drops empty bands",
        ),
        pytest.param(
            {"weekday_day": 100, "weekday_night": 20},
            120,
            {},
            id="break as long as the shift leaves nothing",
        ),
        pytest.param({}, 0, {}, id="nothing worked, no break"),
    ],
)
def test_apportion_break(minutes, break_minutes, expected):
    result = apportion_break(minutes, break_minutes)
    assert result == expected
    assert sum(result.values()) == sum(minutes.values()) - break_minutes


def test_apportion_break_tie_order_does_not_depend_on_dict_order():
    minutes = {"weekend_day": 60, "weekday_night": 60, "weekday_day": 60}
    assert apportion_break(minutes, 20) == {
        "weekday_day": 53,
        "weekday_night": 53,
        "weekend_day": 54,
    }
    assert list(apportion_break(minutes, 20)) == [
        "weekday_day",
        "weekday_night",
        "weekend_day",
    ]


@pytest.mark.parametrize("break_minutes", range(0, 181, 7))
def test_apportion_break_never_takes_more_than_a_band_has(break_minutes):
    minutes = {"weekday_day": 1, "weekday_night": 59, "weekend_night": 120}
    result = apportion_break(minutes, break_minutes)
    assert sum(result.values()) == 180 - break_minutes
    assert all(0 < result[b] <= minutes[b] for b in result)


def test_apportion_break_refuses_a_break_longer_than_the_work():
    with pytest.raises(ValueError, match="longer than the time worked"):
        apportion_break({"weekday_day": 30}, 31)


def test_apportion_break_refuses_a_negative_break():
    with pytest.raises(ValueError, match="negative"):
        apportion_break({"weekday_day": 30}, -1)


def test_apportion_break_refuses_unknown_bands_and_bad_minutes():
    with pytest.raises(ValueError, match="Unknown band"):
        apportion_break({"evening": 30}, 0)
    with pytest.raises(ValueError, match="whole number"):
        apportion_break({"weekday_day": -5}, 0)
    with pytest.raises(TypeError):
        apportion_break({"weekday_day": 30}, 1.5)


# --- price_lines ------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "minutes", "amount"),
    [
        ("35.55", 20, "11.85"),  # 711 / 60 = 11.85 exactly
        ("12.25", 6, "1.23"),  # 1.225 → half-up 1.23 (half-even: 1.22)
        ("35.45", 30, "17.73"),  # 17.725 → 17.73 (half-even: 17.72)
        ("10.15", 90, "15.23"),  # 15.225 → 15.23 (half-even: 15.22)
        ("55.00", 7, "6.42"),  # 6.41666...
        ("55.00", 750, "687.50"),
        ("55", 1, "0.92"),  # 0.91666...
    ],
)
def test_each_line_is_rate_times_minutes_over_60_rounded_half_up(rate, minutes, amount):
    breakdown = price_lines({"weekday_day": minutes}, flat_rate=D(rate))
    (line,) = breakdown.lines
    assert line.amount == D(amount)
    assert breakdown.total == D(amount)


def test_total_is_the_sum_of_rounded_lines_not_a_rounded_product():
    # 35.45/h for 30 + 30 minutes: each line 17.725 → 17.73, total 35.46,
    # not 35.45 (one hour at 35.45).
    breakdown = price_lines(
        {"weekday_day": 30, "weekday_night": 30}, flat_rate=D("35.45")
    )
    assert [line.amount for line in breakdown.lines] == [D("17.73"), D("17.73")]
    assert breakdown.total == D("35.46")


def test_card_rates_price_each_band_in_bands_order():
    minutes = {"bank_holiday": 480, "weekend_night": 180, "weekend_day": 60}
    breakdown = price_lines(minutes, CARD)
    assert [
        (line.band, line.minutes, line.rate, line.amount) for line in breakdown.lines
    ] == [
        ("weekend_day", 60, D("60.00"), D("60.00")),
        ("weekend_night", 180, D("70.00"), D("210.00")),
        ("bank_holiday", 480, D("90.00"), D("720.00")),
    ]
    assert breakdown.total == D("990.00")
    assert breakdown.minutes == 720
    assert breakdown.hours == D("12.00")


def test_flat_rate_applies_to_every_band_and_wins_over_the_card():
    breakdown = price_lines(
        {"weekday_day": 60, "bank_holiday": 60}, CARD, flat_rate=D("55.00")
    )
    assert [line.rate for line in breakdown.lines] == [D("55.00"), D("55.00")]
    assert breakdown.total == D("110.00")


def test_bands_without_minutes_get_no_line():
    breakdown = price_lines({"weekday_day": 0, "weekday_night": 60}, CARD)
    assert [line.band for line in breakdown.lines] == ["weekday_night"]


def test_missing_card_rate_is_a_key_error_naming_the_band():
    with pytest.raises(KeyError, match="Bank holiday"):
        price_lines({"bank_holiday": 60}, {"weekday_day": D(50)})


def test_pricing_needs_a_card_or_a_flat_rate():
    with pytest.raises(ValueError, match="rate card"):
        price_lines({"weekday_day": 60})


def test_float_rates_are_refused():
    with pytest.raises(TypeError):
        price_lines({"weekday_day": 60}, flat_rate=55.0)
    with pytest.raises(TypeError):
        price_lines({"weekday_day": 60}, {"weekday_day": 55.0})


def test_pay_line_and_breakdown_as_dict_use_two_decimal_strings():
    breakdown = price_lines({"weekday_day": 20, "weekday_night": 730}, flat_rate=D(55))
    # 20 min → 18.333 → 18.33; 730 min → 669.1666 → 669.17
    assert breakdown.as_dict() == {
        "lines": [
            {
                "band": "weekday_day",
                "hours": "0.33",
                "rate": "55.00",
                "amount": "18.33",
            },
            {
                "band": "weekday_night",
                "hours": "12.17",
                "rate": "55.00",
                "amount": "669.17",
            },
        ],
        "hours": "12.50",
        "total": "687.50",
    }


def test_breakdown_hours_come_from_total_minutes_not_rounded_lines():
    # two 20-minute lines: 0.33 + 0.33 = 0.66, but 40 minutes is 0.67 h
    breakdown = price_lines({"weekday_day": 20, "weekday_night": 20}, flat_rate=D(60))
    assert [line.hours for line in breakdown.lines] == [D("0.33"), D("0.33")]
    assert breakdown.hours == D("0.67")


def test_empty_breakdown_is_zero():
    breakdown = PayBreakdown(())
    assert breakdown.total == D("0.00")
    assert breakdown.as_dict() == {"lines": [], "hours": "0.00", "total": "0.00"}


def test_pay_line_is_frozen():
    line = PayLine("weekday_day", 60, D(50), D("50.00"))
    with pytest.raises(AttributeError):
        line.amount = D(1)


# --- price_shift ------------------------------------------------------------


def shift(start, end, **kw):
    return price_shift(parse_datetime(start), parse_datetime(end), **kw)


def test_october_clock_change_night_pays_13_hours():
    # weekend_day 120 min @ 60 = 120.00; weekend_night 660 @ 70 = 770.00
    breakdown = shift("2026-10-24T20:00", "2026-10-25T08:00", rates=CARD)
    assert breakdown.hours == D("13.00")
    assert breakdown.total == D("890.00")


def test_october_clock_change_night_with_a_break():
    # break 30 over 120/660 → 115/635 (see apportion test)
    # 115 @ 60 = 115.00; 635 @ 70 = 740.8333 → 740.83
    breakdown = shift(
        "2026-10-24T20:00", "2026-10-25T08:00", rates=CARD, break_minutes=30
    )
    assert [(line.band, line.minutes, line.amount) for line in breakdown.lines] == [
        ("weekend_day", 115, D("115.00")),
        ("weekend_night", 635, D("740.83")),
    ]
    assert breakdown.hours == D("12.50")
    assert breakdown.total == D("855.83")


def test_march_clock_change_night_pays_11_hours_at_a_flat_rate():
    breakdown = shift("2026-03-28T20:00", "2026-03-29T08:00", flat_rate=D("55.00"))
    assert breakdown.hours == D("11.00")
    assert breakdown.total == D("605.00")


def test_sunday_night_into_a_bank_holiday_is_priced_per_band():
    breakdown = shift("2026-08-30T20:00", "2026-08-31T08:00", rates=CARD)
    assert {line.band: line.amount for line in breakdown.lines} == {
        "weekend_day": D("60.00"),
        "weekend_night": D("210.00"),
        "bank_holiday": D("720.00"),
    }
    assert breakdown.total == D("990.00")


def test_price_shift_honours_custom_day_hours():
    # day 08:00-20:00 on a Wednesday 07:00-21:00: 720 day, 120 night
    breakdown = shift(
        "2026-06-10T07:00",
        "2026-06-10T21:00",
        rates=CARD,
        day_start=time(8),
        day_end=time(20),
    )
    assert breakdown.total == D("720.00")  # 12 h @ 50 + 2 h @ 60 = 600 + 120


# --- rate violations and approval -------------------------------------------


@pytest.mark.parametrize(
    ("flat", "card", "expected"),
    [
        ("66.00", "55.00", "20.00"),
        ("66.01", "55.00", "20.02"),  # 20.018...
        ("55.00", "55.00", "0.00"),
        ("50.00", "55.00", "-9.09"),  # -9.0909...
        ("200.01", "200.00", "0.01"),  # 0.005 → half-up 0.01
        ("1", "3", "-66.67"),
        ("110", "55", "100.00"),
    ],
)
def test_percent_over(flat, card, expected):
    assert percent_over(D(flat), D(card)) == D(expected)


@pytest.mark.parametrize(
    ("flat", "card", "expected"),
    [
        ("66.00", "55.00", "20.00%"),  # exactly the threshold: shown as it is
        ("1200.05", "1000.00", "20.01%"),  # 20.005% rounds half-up: shown as the larger figure
        ("1000.04", "1000.00", "more than 0.00%"),  # 0.004%: never "0.00%" for a rate above the card
        ("2000.08", "1666.72", "more than 20.00%"),  # 20.0034...%: over a 20% threshold, and says so
        ("66.01", "55.00", "20.02%"),  # 20.018...% rounds up: not understated
        ("50.00", "55.00", "-9.09%"),
    ],
)
def test_percent_words_never_understate_by_rounding(flat, card, expected):
    assert percent_words(D(flat), D(card)) == expected


def test_percent_over_a_zero_card_is_refused():
    with pytest.raises(ValueError, match="zero"):
        percent_over(D(10), D(0))


@pytest.mark.parametrize(
    ("flat_total", "card_total", "expected"),
    [("990.01", "990.00", True), ("990.00", "990.00", False), ("500", "990", False)],
)
def test_rate_violation_is_strictly_more_than_the_card(
    flat_total, card_total, expected
):
    flat = PayBreakdown((PayLine("weekday_day", 60, D(flat_total), D(flat_total)),))
    card = PayBreakdown((PayLine("weekday_day", 60, D(card_total), D(card_total)),))
    assert is_rate_violation(flat, card) is expected


def test_flat_rate_above_the_card_for_the_same_shift_is_a_violation():
    start, end = "2026-06-09T20:00", "2026-06-10T08:00"
    card = shift(start, end, rates=CARD)  # 120 @ 50 + 600 @ 60 = 100 + 600
    flat = shift(start, end, flat_rate=D("60.00"))  # 720 @ 60 = 720
    assert card.total == D("700.00")
    assert is_rate_violation(flat, card)
    assert percent_over(flat.total, card.total) == D("2.86")  # 2.857...
    assert required_role_for_totals(flat.total, card.total) == "approver"


@pytest.mark.parametrize(
    ("flat", "card", "threshold", "role"),
    [
        ("120.00", "100.00", None, "approver"),  # exactly 20.00%
        ("119.99", "100.00", None, "approver"),
        ("120.01", "100.00", None, "executive"),  # 20.01%
        ("5000.20", "4166.67", None, "executive"),  # 20.0047...%: 20.00% to 2 dp, still above 20
        ("5000.00", "4166.67", None, "approver"),  # 19.9999...%
        ("95.00", "100.00", None, "approver"),  # below the card
        ("350.00", "100.00", None, "executive"),
        ("130.00", "100.00", "30", "approver"),
        ("130.01", "100.00", "30", "executive"),
    ],
)
def test_required_role_compares_the_exact_percentage(flat, card, threshold, role):
    if threshold is None:
        assert required_role_for_totals(D(flat), D(card)) == role
    else:
        assert required_role_for_totals(D(flat), D(card), D(threshold)) == role


def test_a_percentage_that_rounds_to_the_threshold_still_goes_to_an_executive():
    flat, card = D("5000.20"), D("4166.67")
    assert percent_over(flat, card) == D("20.00")  # what people see
    assert required_role_for_totals(flat, card) == "executive"  # what decides


def test_required_role_against_a_zero_card_is_refused():
    with pytest.raises(ValueError, match="zero"):
        required_role_for_totals(D(10), D(0))


@pytest.mark.parametrize(
    ("charge", "cap", "excess"),
    [
        ("120.00", "100.00", "20.00"),
        ("100.00", "100.00", "0.00"),
        ("90.00", "100.00", "0.00"),
        ("100.005", "100", "0.01"),
        ("85.27", "85.25", "0.02"),
    ],
)
def test_agency_cap_excess(charge, cap, excess):
    result = agency_cap_excess(D(charge), D(cap))
    assert result == D(excess)
    assert str(result) == excess
