"""Money and hours: Decimal only, rounded half-up to the penny.

Floats are refused everywhere: 0.1 + 0.2 is not 0.30, and pay must be exact.
Amounts and hours leave the API as strings with two decimals ("55.00",
"12.50").
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")

_MONEY_TEXT = re.compile(r"-?\d+(\.\d+)?")


def _decimal(x, what: str = "amount") -> Decimal:
    """Decimal from Decimal, int or numeric text; never from a float."""
    if isinstance(x, (bool, float)):
        raise TypeError(
            f"The {what} must be a Decimal, int or string, not {type(x).__name__}."
        )
    if isinstance(x, Decimal):
        d = x
    elif isinstance(x, int):
        d = Decimal(x)
    elif isinstance(x, str):
        try:
            d = Decimal(x.strip())
        except InvalidOperation:
            raise ValueError(f"{x!r} is not a number.") from None
    else:
        raise TypeError(
            f"The {what} must be a Decimal, int or string, not {type(x).__name__}."
        )
    if not d.is_finite():
        raise ValueError(f"The {what} must be a finite number, not {x}.")
    return d


def _round(d: Decimal, what: str) -> Decimal:
    try:
        q = d.quantize(PENNY, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"The {what} {d} is too large.") from None
    return q if q else abs(q)  # no "-0.00"


def to_money(x) -> Decimal:
    """Round to the penny, half-up: 11.845 → 11.85, -11.845 → -11.85."""
    return _round(_decimal(x), "amount")


def money_str(x) -> str:
    return str(to_money(x))


def parse_money(value) -> Decimal:
    """Parse a money amount typed by a person or sent as JSON text.

    Accepts "55", "55.5", "55.00", "-3.20" (and int or Decimal); refuses
    anything else, including NaN, infinity, exponents and more than two
    decimal places, with a ValueError whose message says what to send.
    """
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        d = _decimal(value)
        money = to_money(d)
        if money != d:
            raise ValueError(
                f"{value} has fractions of a penny; give pounds and pence."
            )
        return money
    if isinstance(value, str):
        text = value.strip()
        if not _MONEY_TEXT.fullmatch(text):
            raise ValueError(f'{value!r} is not an amount of money; give e.g. "55.00".')
        d = Decimal(text)
    else:
        # Bad input (a JSON number, null, ...), not a programming error: the
        # caller turns ValueError into a 422, so keep it a ValueError.
        raise ValueError(  # noqa: TRY004
            'Give money as text with at most two decimal places, e.g. "55.00".'
        )
    if d.as_tuple().exponent < -2:
        raise ValueError(
            f"{value} has more than two decimal places; give pounds and pence."
        )
    return to_money(d)


def hours_from_minutes(minutes: int) -> Decimal:
    """Minutes as hours, two decimals half-up: 750 → 12.50, 20 → 0.33."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TypeError(f"Minutes must be an int, not {type(minutes).__name__}.")
    return _round(Decimal(minutes) / 60, "hours")


def hours_str(minutes: int) -> str:
    return str(hours_from_minutes(minutes))
