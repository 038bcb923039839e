"""Small shared pieces for models: timestamps and enum-like CHECKs."""
from sqlalchemy import CheckConstraint

from .dbtypes import UTCDateTime
from .extensions import db
from .timeutil import now_utc


class TimestampMixin:
    created_at = db.Column(UTCDateTime, nullable=False, default=now_utc)


def one_of(column: str, values, name: str | None = None) -> CheckConstraint:
    """CHECK (column IN (...)) named after the column, for enum-like strings."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_valid")
