"""Small shared pieces for models: timestamps and enum-like CHECKs."""
from sqlalchemy import CheckConstraint

from .dbtypes import UTCDateTime, utcnow
from .extensions import db


class TimestampMixin:
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


def one_of(column: str, values, name: str | None = None) -> CheckConstraint:
    """CHECK (column IN (...)) named after the column, for enum-like strings."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_valid")
