"""Column types shared by every feature.

- ``UTCDateTime``: aware datetimes only. Stored as UTC (timestamptz on
  PostgreSQL, naive UTC text on SQLite) and always read back aware in UTC.
- ``Decimal2``: money, rates and percentages with two decimals, stored as a
  whole number of hundredths so that sums are exact on every engine.
"""
from datetime import UTC
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator

HUNDREDTH = Decimal("0.01")


class UTCDateTime(TypeDecorator):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Decimal2(TypeDecorator):
    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("floats are not accepted for money; use Decimal")
        value = Decimal(value).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
        return int(value * 100)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(HUNDREDTH)


def hundredths_to_decimal(value) -> Decimal:
    """Turn a raw SQL aggregate of a Decimal2 column back into Decimal."""
    return (Decimal(int(value or 0)) / 100).quantize(HUNDREDTH)
