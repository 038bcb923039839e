"""The sender job: deliver due outbox rows, one message per transaction.

1. Claim: in its own transaction, pick one due ``queued`` row (``FOR UPDATE
   SKIP LOCKED`` on PostgreSQL, so parallel senders never take the same row),
   re-check the opt-out, mark it ``sending`` with attempts + 1, commit.
2. Send through the backend, outside any transaction.
3. Record: in a new transaction mark it ``sent`` (with the provider's id),
   or back to ``queued`` with a backoff for a transient error (until
   ``SMS_MAX_ATTEMPTS``), or ``failed`` for a permanent one.

If the process dies between 1 and 3 the row stays ``sending``;
``recover_stuck`` puts it back in the queue once it has been ``sending`` for
``SMS_SENDING_TIMEOUT_MINUTES`` (a setting, 2 minutes by default: a send
takes seconds, so a row older than that belongs to a sender that died).
Rows marked ``sent`` are never touched again. Delivery is at least once: a
process killed after Twilio accepted a text but before step 3 committed
sends that text again on recovery (Twilio's API has no idempotency key).
"""
import logging
from collections import Counter
from datetime import datetime, timedelta

from flask import current_app

from ..auth.models import User
from ..extensions import db
from ..timeutil import now_utc
from .backends import PermanentSendError, TransientSendError, backend_from_config
from .models import OutboxMessage, SmsOptOut
from .rules import retry_delay
from .services import record_opt_out
from .texts import hide_secret

# Texts the person asked for themselves: sent without sms_opt_in (never to a number that said STOP).
REQUESTED_KINDS = frozenset({"password_reset"})
# Texts holding a secret (a reset code): once a real provider has them, the outbox keeps them hidden.
SECRET_KINDS = frozenset({"password_reset"})

log = logging.getLogger(__name__)


def current_backend():
    """The app's backend, built once per app so Twilio connections are reused."""
    app = current_app._get_current_object()
    backend = app.extensions.get("sms_backend")
    if backend is None:
        backend = app.extensions["sms_backend"] = backend_from_config(app.config)
    return backend


def _update(message_id, *, where_status, **values):
    stmt = (db.update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status.in_(where_status))
            .values(**values))
    return db.session.execute(stmt).rowcount


def recover_stuck(now: datetime) -> int:
    """Rows left ``sending`` (the sender died mid-send) go back to the queue."""
    cutoff = now - timedelta(minutes=current_app.config["SMS_SENDING_TIMEOUT_MINUTES"])
    max_attempts = current_app.config["SMS_MAX_ATTEMPTS"]
    stuck = OutboxMessage.status == "sending", OutboxMessage.updated_at < cutoff
    failed = db.session.execute(
        db.update(OutboxMessage).where(*stuck, OutboxMessage.attempts >= max_attempts)
        .values(status="failed", updated_at=now, last_error="The sender stopped while sending; no attempts left.")
    ).rowcount
    requeued = db.session.execute(
        db.update(OutboxMessage).where(*stuck).values(status="queued", send_after=now, updated_at=now,
                                                      last_error="The sender stopped while sending; queued again.")
    ).rowcount
    db.session.commit()
    if failed or requeued:
        log.warning("recovered %s stuck messages (%s failed for good)", requeued + failed, failed)
    return requeued + failed


def _blocked(message) -> str | None:
    """Why ``message`` must not go out now, or None (a text the person asked for needs no ``sms_opt_in``)."""
    if db.session.get(SmsOptOut, message.to) is not None:
        return "The number opted out (STOP)."
    if message.user_id is not None:
        user = db.session.get(User, message.user_id)
        consented = user is not None and (user.sms_opt_in or message.kind in REQUESTED_KINDS)
        if not consented or user.mobile != message.to:
            return "The person no longer takes texts at this number."
    return None


def claim_next(now: datetime):
    """Claim one due message and commit; returns it, "suppressed" or None when none is due."""
    stmt = (db.select(OutboxMessage).where(OutboxMessage.status == "queued", OutboxMessage.send_after <= now)
            .order_by(OutboxMessage.send_after, OutboxMessage.id).limit(1).with_for_update(skip_locked=True))
    message = db.session.execute(stmt).scalar()
    if message is None:
        db.session.commit()
        return None
    reason = _blocked(message)
    if reason:
        _update(message.id, where_status=("queued",), status="suppressed", last_error=reason, updated_at=now)
        db.session.commit()
        log.info("message %s suppressed: %s", message.id, reason)
        return "suppressed"
    claimed = _update(message.id, where_status=("queued",), status="sending",
                      attempts=OutboxMessage.attempts + 1, updated_at=now)
    db.session.commit()
    if not claimed:  # another sender took it first (SQLite has no SKIP LOCKED)
        return "taken"
    db.session.refresh(message)
    return message


def _record(message_id, attempts, to, outcome, now, *, hidden_body=None):
    """Write what happened to one message, in its own transaction; ``hidden_body`` replaces a delivered secret."""

    kind, detail = outcome
    if kind == "sent":
        _update(message_id, where_status=("sending", "queued"), status="sent", provider_sid=detail, sent_at=now,
                updated_at=now, last_error=None, **({"body": hidden_body} if hidden_body else {}))
    elif kind == "transient" and attempts < current_app.config["SMS_MAX_ATTEMPTS"]:
        _update(message_id, where_status=("sending",), status="queued", send_after=now + retry_delay(attempts),
                updated_at=now, last_error=detail)
        kind = "retrying"
    else:
        _update(message_id, where_status=("sending",), status="failed", updated_at=now, last_error=detail)
        if outcome[0] == "unsubscribed":
            record_opt_out(to, source="twilio_21610")
        kind = "failed"
    db.session.commit()
    return kind


def _attempt(backend, message):
    try:
        result = backend.send(message.to, message.body)
    except PermanentSendError as exc:
        log.warning("message %s failed for good: %s", message.id, exc.describe())
        return ("unsubscribed" if exc.unsubscribed else "permanent", exc.describe())
    except TransientSendError as exc:
        log.warning("message %s not sent, will retry: %s", message.id, exc.describe())
        return ("transient", exc.describe())
    except Exception as exc:  # an unexpected bug in a backend must not lose the row
        log.exception("message %s: unexpected error from the SMS backend", message.id)
        return ("transient", f"{type(exc).__name__}: {exc}")
    return ("sent", result.sid)


def send_due_messages(now: datetime | None = None, limit: int = 200, backend=None) -> Counter:
    """Send up to ``limit`` due messages; returns counts by outcome."""
    now = now or now_utc()
    backend = backend or current_backend()
    counts = Counter(recovered=recover_stuck(now))
    for _ in range(limit):
        message = claim_next(now)
        if message is None:
            break
        if isinstance(message, str):
            counts[message] += 1
            continue
        outcome = _attempt(backend, message)
        hidden = hide_secret(message.body) if message.kind in SECRET_KINDS and getattr(backend, "delivers", True) \
            else None
        counts[_record(message.id, message.attempts, message.to, outcome, now, hidden_body=hidden)] += 1
    return counts
