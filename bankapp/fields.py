"""The marshmallow fields every schema shares, pages and API alike (one message per rule).

- ``LondonDateTime``: ISO 8601 in, taken as London wall-clock time without an
  offset (a time skipped or repeated at a clock change is refused); London
  time with its offset out.
- ``Money``: an amount as text with at most two decimals ("55.00"; JSON
  numbers are refused), out as text with two decimals. ``positive=True``
  refuses £0.00 and below (rates, charges).
"""
import marshmallow as ma

from .money import money_str, parse_money
from .timeutil import TimeInputError, format_london, parse_datetime

NOT_POSITIVE = "Must be more than £0.00."
# One message per rule, the same on the pages and in the API.
FLAT_RATE_NOT_POSITIVE = "Enter a rate above £0.00, or leave it out to pay card rates."
CHARGE_NOT_POSITIVE = "The charge rate must be more than £0.00 an hour."


class LondonDateTime(ma.fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_datetime(value)
        except TimeInputError as exc:
            raise ma.ValidationError(exc.message) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return format_london(value)


class Money(ma.fields.Field):
    default_error_messages = {"not_positive": NOT_POSITIVE}

    def __init__(self, *, positive: bool = False, not_positive: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.positive = positive
        if not_positive:
            self.error_messages["not_positive"] = not_positive

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            amount = parse_money(value)
        except (TypeError, ValueError) as exc:
            raise ma.ValidationError(str(exc)) from None
        if self.positive and amount <= 0:
            raise self.make_error("not_positive")
        return amount

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else money_str(value)
