"""Writing audit events and breaches, always inside the caller's transaction."""
from datetime import date, datetime
from decimal import Decimal

from ..extensions import db
from ..timeutil import now_utc
from .models import AuditEvent, Breach


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record_audit(action, entity_type, entity_id, *, actor=None, before=None, after=None) -> AuditEvent:
    """Append an audit event to the current transaction (never committed here)."""
    event = AuditEvent(
        at=now_utc(),
        actor_id=getattr(actor, "id", actor),
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=_jsonable(before),
        after=_jsonable(after),
    )
    db.session.add(event)
    return event


def record_breach(type_, *, site_id, shift_id=None, amount_over=None, approved_by=None, reason=None,
                  source_type=None, source_id=None, at=None) -> Breach:
    breach = Breach(
        type=type_,
        at=at or now_utc(),
        site_id=site_id,
        shift_id=shift_id,
        amount_over=amount_over,
        approved_by_id=getattr(approved_by, "id", approved_by),
        reason=reason,
        source_type=source_type,
        source_id=source_id,
    )
    db.session.add(breach)
    return breach
