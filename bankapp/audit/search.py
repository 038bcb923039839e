"""Finding audit events: by entity, actor, action and period, newest first."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..auth.models import User
from ..extensions import db
from ..timeutil import LONDON, to_utc
from .models import AuditEvent

PAGE_SIZE = 25


@dataclass
class AuditPage:
    events: list
    next_cursor: int | None


def _london_midnight(day: date) -> datetime:
    # Midnight exists exactly once in London: the clocks change at 01:00 and 02:00.
    return to_utc(datetime.combine(day, time(0), tzinfo=LONDON))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_events(*, entity_type=None, entity_id=None, actor=None, action=None, date_from=None, date_to=None,
                  cursor=None, limit=PAGE_SIZE) -> AuditPage:
    """Events matching every filter given, newest first; ``cursor`` is the last id of the previous page.

    ``actor`` matches part of the acting user's email (any case); ``action``
    matches from the start ("shift." finds every shift action); the dates are
    London days, both inclusive.
    """
    stmt = db.select(AuditEvent)
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEvent.entity_id == str(entity_id))
    if actor:
        stmt = stmt.join(User, User.id == AuditEvent.actor_id).where(User.email.ilike(_like(actor), escape="\\"))
    if action:
        escaped = _like(action)[1:]  # no leading wildcard: a prefix match
        stmt = stmt.where(AuditEvent.action.ilike(escaped, escape="\\"))
    if date_from:
        stmt = stmt.where(AuditEvent.at >= _london_midnight(date_from))
    if date_to:
        stmt = stmt.where(AuditEvent.at < _london_midnight(date_to + timedelta(days=1)))
    if cursor:
        stmt = stmt.where(AuditEvent.id < cursor)
    rows = db.session.execute(stmt.order_by(AuditEvent.id.desc()).limit(limit + 1)).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(events=rows, next_cursor=rows[-1].id if more and rows else None)


def entity_types() -> list[str]:
    return list(db.session.execute(db.select(AuditEvent.entity_type).distinct()
                                   .order_by(AuditEvent.entity_type)).scalars())


def events_about_user(user_id: int):
    """Events whose subject is this user (their account, profile and the like), oldest first."""
    return db.session.execute(db.select(AuditEvent).where(AuditEvent.entity_type == "user",
                                                          AuditEvent.entity_id == str(user_id))
                              .order_by(AuditEvent.id)).scalars().all()
