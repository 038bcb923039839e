"""Outbox writes, opt-outs, alert preferences and retries.

Nothing here commits or calls the network: rows are written in the caller's
transaction and the sender job delivers them after the commit.

``enqueue_for_user`` writes nothing (and returns None) when the person may
not be texted: no mobile, SMS not opted in, or the number is on the opt-out
list. We keep no "suppressed" row for those, so a later opt-in is not blocked
by a dedupe key. Rows are marked ``suppressed`` only when a number opts out
after they were queued (or at send time, when the sender re-checks).
"""
import logging
from datetime import datetime

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from ..audit.services import record_audit
from ..auth.models import User
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..org.models import Grade, Site
from ..timeutil import now_utc
from . import texts
from .models import AlertGrade, AlertPreference, AlertSite, OutboxMessage, SmsOptOut
from .rules import days_mask, normalise_mobile, weekdays_of

log = logging.getLogger(__name__)


def public_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def shift_url(shift_id: int) -> str:
    return public_url(f"/shifts/{shift_id}")


def insert_ignoring_duplicates():
    """INSERT … ON CONFLICT DO NOTHING for the engine in use."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(OutboxMessage.__table__).on_conflict_do_nothing()


def enqueue_rows(rows: list[dict], *, now: datetime | None = None) -> int:
    """Queue prepared outbox rows in one statement, skipping duplicate dedupe keys.

    Each row needs ``to``, ``body``, ``kind`` and may have ``user_id``,
    ``dedupe_key`` and ``send_after``. The caller has already checked consent
    and opt-outs. Rows without ``send_after`` are due at ``now`` (a job's
    clock, else ``now_utc()``). Returns how many rows were written. A
    duplicate key never fails the transaction.
    """
    if not rows:
        return 0
    now = now or now_utc()
    prepared = [{"user_id": None, "dedupe_key": None, "send_after": now, "status": "queued", "attempts": 0,
                 "created_at": now, "updated_at": now, **row} for row in rows]
    db.session.flush()
    # RETURNING counts what was written on both engines (rowcount of an
    # executemany is not reliable with psycopg's batched inserts).
    stmt = insert_ignoring_duplicates().returning(OutboxMessage.__table__.c.id)
    return len(db.session.execute(stmt, prepared).all())


def is_opted_out(number: str | None) -> bool:
    if not number:
        return True
    return db.session.get(SmsOptOut, number) is not None


def may_text(user) -> bool:
    """Consent given, a number on file and not on the opt-out list."""
    return bool(user is not None and user.active and user.mobile and user.sms_opt_in
                and not is_opted_out(user.mobile))


def enqueue_for_user(user, *, kind: str, body: str, dedupe_key: str | None = None,
                     send_after: datetime | None = None) -> OutboxMessage | None:
    """Queue one SMS to ``user`` in the current transaction.

    Returns the new row, or None when nothing was queued: the user may not be
    texted (see the module docstring) or ``dedupe_key`` was used before.
    """
    if not may_text(user):
        log.info("sms %s to user %s not queued: no consent, number or opted out", kind, getattr(user, "id", None))
        return None
    row = {"to": user.mobile, "user_id": user.id, "body": body, "kind": kind, "dedupe_key": dedupe_key}
    if send_after is not None:
        row["send_after"] = send_after
    if dedupe_key is None:
        message = OutboxMessage(status="queued", attempts=0, **row)
        db.session.add(message)
        db.session.flush()
        return message
    if not enqueue_rows([row]):
        return None
    return db.session.execute(db.select(OutboxMessage).filter_by(dedupe_key=dedupe_key)).scalar_one()


def enqueue_requested(user, *, kind: str, body: str) -> OutboxMessage | None:
    """Queue a text the person has just asked for (a password reset code), due now.

    Asking for it is consent to that one text, so ``sms_opt_in`` is not
    required; a number that said STOP still gets nothing. Returns the row, or
    None when there is no number or it opted out.
    """
    if user is None or not user.mobile or is_opted_out(user.mobile):
        log.info("sms %s to user %s not queued: no number or opted out", kind, getattr(user, "id", None))
        return None
    message = OutboxMessage(to=user.mobile, user_id=user.id, body=body, kind=kind, status="queued", attempts=0,
                            send_after=now_utc())
    db.session.add(message)
    db.session.flush()
    return message


# --- opt-out and opt-in ------------------------------------------------------


def users_with_number(number: str) -> list:
    return db.session.execute(db.select(User).filter_by(mobile=number).order_by(User.id)).scalars().all()


def record_opt_out(number: str, *, source: str = "inbound", actor=None) -> bool:
    """Put ``number`` on the opt-out list; no later SMS of any kind goes to it.

    Users with this number lose their SMS consent and queued messages to it
    are suppressed. Returns True when the number was not opted out before.
    """
    new = db.session.get(SmsOptOut, number) is None
    if new:
        db.session.add(SmsOptOut(number=number, source=source, opted_out_at=now_utc()))
    for user in users_with_number(number):
        user.sms_opt_in = False
    suppressed = db.session.execute(
        db.update(OutboxMessage).where(OutboxMessage.to == number, OutboxMessage.status == "queued")
        .values(status="suppressed", last_error="The number opted out (STOP).", updated_at=now_utc())
    ).rowcount
    db.session.flush()
    record_audit("sms.opted_out", "sms_number", number, actor=actor,
                 after={"source": source, "suppressed_messages": suppressed})
    return new


def record_opt_in(number: str, *, actor=None) -> bool:
    """The number said START: take it off the list and restore consent."""
    row = db.session.get(SmsOptOut, number)
    if row is not None:
        db.session.delete(row)
    for user in users_with_number(number):
        user.sms_opt_in = True
    db.session.flush()
    record_audit("sms.opted_in", "sms_number", number, actor=actor, after={"was_opted_out": row is not None})
    return row is not None


# --- alert preferences -------------------------------------------------------


def alert_settings(user) -> dict:
    pref = db.session.get(AlertPreference, user.id)
    sites = db.session.execute(db.select(AlertSite.site_id).filter_by(user_id=user.id)).scalars().all()
    grades = db.session.execute(db.select(AlertGrade.grade_id).filter_by(user_id=user.id)).scalars().all()
    return {"mobile": user.mobile, "sms_opt_in": user.sms_opt_in, "site_ids": sorted(sites),
            "grade_ids": sorted(grades), "days": weekdays_of(pref.days if pref else 127),
            "number_opted_out": bool(user.mobile) and is_opted_out(user.mobile)}


def update_alert_settings(user, *, mobile, sms_opt_in: bool, site_ids, grade_ids, days, actor):
    """Save a doctor's number, consent and alert choices (validated here)."""
    errors = {}
    try:
        number = normalise_mobile(mobile)
    except ValueError as exc:
        errors["mobile"] = [str(exc)]
        number = None
    if sms_opt_in and number is None and "mobile" not in errors:
        errors["mobile"] = ["Enter your mobile number to get texts."]
    site_ids, grade_ids = sorted(set(site_ids)), sorted(set(grade_ids))
    known_sites = set(db.session.execute(db.select(Site.id).where(Site.id.in_(site_ids))).scalars())
    if set(site_ids) - known_sites:
        errors["sites"] = ["Choose sites from the list."]
    own_rank = user.doctor_profile.grade.rank if user.doctor_profile and user.doctor_profile.grade else None
    ranks = dict(db.session.execute(db.select(Grade.id, Grade.rank).where(Grade.id.in_(grade_ids))).all())
    if set(grade_ids) - set(ranks) or (own_rank is not None and any(r > own_rank for r in ranks.values())):
        errors["grades"] = ["Choose grades at or below your own."]
    if not days or any(int(d) not in range(7) for d in days):
        errors["days"] = ["Choose at least one day of the week."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors=errors)
    before = alert_settings(user)
    user.mobile = number
    user.sms_opt_in = bool(sms_opt_in)
    pref = db.session.get(AlertPreference, user.id) or AlertPreference(user_id=user.id)
    pref.days = days_mask(days)
    db.session.add(pref)
    db.session.execute(db.delete(AlertSite).where(AlertSite.user_id == user.id))
    db.session.execute(db.delete(AlertGrade).where(AlertGrade.user_id == user.id))
    db.session.add_all([AlertSite(user_id=user.id, site_id=s) for s in site_ids])
    db.session.add_all([AlertGrade(user_id=user.id, grade_id=g) for g in grade_ids])
    db.session.flush()
    after = alert_settings(user)
    record_audit("sms.alert_settings_changed", "user", user.id, actor=actor, before=before, after=after)
    return after


def send_test_message(user, *, actor) -> OutboxMessage:
    """Queue a test SMS now (no quiet hours: the doctor asked for it)."""

    if not user.mobile:
        raise ValidationFailed("Add your mobile number first.", errors={"mobile": ["Enter your mobile number."]})
    if is_opted_out(user.mobile):
        raise ValidationFailed("This number has opted out.", errors={
            "mobile": ["This number replied STOP. Text START to us from it to get texts again."]})
    if not user.sms_opt_in:
        raise ValidationFailed("Turn on texts first.", errors={"sms_opt_in": ["Tick 'Send me texts' and save first."]})
    message = enqueue_for_user(user, kind="test", body=texts.test_message())
    record_audit("sms.test_requested", "outbox_message", message.id, actor=actor)
    return message


# --- admin -------------------------------------------------------------------


def retry_message(message: OutboxMessage, *, actor) -> OutboxMessage:
    """A failed message goes back to the queue, to be sent at the next run."""
    if message.status != "failed":
        raise Conflict(f"Only failed messages can be retried; this one is {message.status}.")
    if is_opted_out(message.to):
        raise Conflict("This number has opted out (STOP); it cannot be texted.")
    message.status = "queued"
    message.send_after = now_utc()
    message.attempts = 0
    db.session.flush()
    record_audit("sms.retried", "outbox_message", message.id, actor=actor,
                 before={"status": "failed", "last_error": message.last_error}, after={"status": "queued"})
    return message


def textable(user_table):
    """SQL conditions: this user may get a text (the set-based twin of may_text)."""
    from sqlalchemy import exists, not_

    return (user_table.c.active.is_(True), user_table.c.sms_opt_in.is_(True), user_table.c.mobile.is_not(None),
            not_(exists().where(SmsOptOut.number == user_table.c.mobile)))
