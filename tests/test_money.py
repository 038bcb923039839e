"""Money and hours: Decimal, half-up to the penny, two-decimal strings."""

from decimal import Decimal

import pytest

from bankapp.money import (
    PENNY,
    hours_from_minutes,
    hours_str,
    money_str,
    parse_money,
    to_money,
)


def test_penny_is_one_hundredth():
    assert Decimal("0.01") == PENNY


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("11.845"), "11.85"),  # half-up, not half-even (11.84)
        (Decimal("11.835"), "11.84"),
        (Decimal("11.8449"), "11.84"),
        (Decimal("2.675"), "2.68"),  # a float would give 2.67
        (Decimal("0.005"), "0.01"),
        (Decimal("-11.845"), "-11.85"),  # half away from zero
        (Decimal("-0.001"), "0.00"),  # no negative zero
        (Decimal("1E+3"), "1000.00"),
        (55, "55.00"),
        (0, "0.00"),
        ("55.5", "55.50"),
        (" 7.125 ", "7.13"),
    ],
)
def test_to_money_rounds_half_up_to_the_penny(value, expected):
    result = to_money(value)
    assert isinstance(result, Decimal)
    assert str(result) == expected


@pytest.mark.parametrize("value", [55.5, 0.1, True, None, [1]])
def test_to_money_refuses_floats_and_other_types(value):
    with pytest.raises(TypeError):
        to_money(value)


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("Infinity"), "abc", "", "inf", Decimal("1E+40")]
)
def test_to_money_refuses_non_finite_garbage_and_huge_values(value):
    with pytest.raises(ValueError):
        to_money(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(55, "55.00"), (Decimal("687.5"), "687.50"), (Decimal("0.333"), "0.33")],
)
def test_money_str_always_has_two_decimals(value, expected):
    assert money_str(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("55", Decimal("55.00")),
        ("55.5", Decimal("55.50")),
        ("55.00", Decimal("55.00")),
        (" 55.00 ", Decimal("55.00")),
        ("0", Decimal("0.00")),
        ("-3.20", Decimal("-3.20")),
        ("100000", Decimal("100000.00")),
        (55, Decimal("55.00")),
        (Decimal("55.5"), Decimal("55.50")),
        (Decimal("55.500"), Decimal("55.50")),  # a Decimal is judged by value
    ],
)
def test_parse_money_accepts_pounds_and_pence(text, expected):
    result = parse_money(text)
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "not an amount"),
        ("", "not an amount"),
        ("55.", "not an amount"),
        (".5", "not an amount"),
        ("£55", "not an amount"),
        ("1,000", "not an amount"),
        ("1e2", "not an amount"),
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
        ("-inf", "not an amount"),
        ("55.001", "more than two decimal places"),
        ("55.500", "more than two decimal places"),
        (Decimal("NaN"), "finite"),
        (Decimal("55.005"), "fractions of a penny"),
        (55.5, "as text"),
        (None, "as text"),
        (True, "as text"),
    ],
)
def test_parse_money_refuses_garbage_with_a_message(value, message):
    with pytest.raises(ValueError, match=message):
        parse_money(value)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (750, "12.50"),
        (780, "13.00"),
        (660, "11.00"),
        (20, "0.33"),  # 0.333...
        (40, "0.67"),  # 0.666...
        (10, "0.17"),  # 0.1666...
        (1, "0.02"),  # 0.01666...
        (45, "0.75"),
        (0, "0.00"),
        (-30, "-0.50"),
    ],
)
def test_hours_from_minutes_is_two_decimals_half_up(minutes, expected):
    assert hours_from_minutes(minutes) == Decimal(expected)
    assert hours_str(minutes) == expected


@pytest.mark.parametrize("minutes", [12.5, "750", True, None])
def test_hours_from_minutes_needs_whole_minutes(minutes):
    with pytest.raises(TypeError):
        hours_from_minutes(minutes)
