"""Outbox, opt-outs and doctors' alert preferences.

Opt-out is kept per *number* (``sms_opt_outs``), so a STOP from a phone no
user has yet, or a number that later moves to another account, still sticks.
The user's ``sms_opt_in`` flag is their consent to get texts at all; both
must allow it before anything is queued or sent.
"""
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..models_base import TimestampMixin, one_of
from ..timeutil import now_utc

MESSAGE_STATUSES = ("queued", "sending", "sent", "delivered", "failed", "suppressed")
MESSAGE_KINDS = ("shift_alert", "booking_confirmed", "booking_cancelled", "booking_repriced", "reminder",
                 "timesheet_chaser", "approver_reminder", "doc_expiry", "breach_digest", "test", "shift_changed",
                 "password_reset", "shift_invite")
ALL_DAYS = 0b1111111  # bit 0 = Monday … bit 6 = Sunday


class OutboxMessage(TimestampMixin, db.Model):
    """An SMS, written in the same transaction as the event that causes it.

    ``dedupe_key`` (unique) makes each alert happen once, e.g.
    ``shift-alert:<shift>:<doctor>``. A sender job delivers queued rows after
    the commit.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        one_of("status", MESSAGE_STATUSES),
        db.Index("ix_outbox_messages_due", "status", "send_after"),
        db.Index("ix_outbox_messages_user_kind_send_after", "user_id", "kind", "send_after"),
    )
    id = db.Column(db.Integer, primary_key=True)
    to = db.Column(db.String(16), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    body = db.Column(db.Text, nullable=False)
    kind = db.Column(db.String(32), nullable=False)
    status = db.Column(db.String(16), nullable=False, default="queued")
    dedupe_key = db.Column(db.String(128), unique=True)
    send_after = db.Column(UTCDateTime, nullable=False, default=now_utc)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.Text)
    provider_sid = db.Column(db.String(64), index=True)
    sent_at = db.Column(UTCDateTime)
    updated_at = db.Column(UTCDateTime, nullable=False, default=now_utc, onupdate=now_utc)

    user = db.relationship("User", lazy="select")


class SmsOptOut(db.Model):
    """A number that said STOP (or that Twilio reports as unsubscribed)."""

    __tablename__ = "sms_opt_outs"
    number = db.Column(db.String(16), primary_key=True)
    opted_out_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    source = db.Column(db.String(32), nullable=False, default="inbound")


class AlertPreference(db.Model):
    """Which shift alerts a doctor wants. No row = every day, site and grade.

    ``days`` is a bit mask of London weekdays (Monday = 1). Sites and grades
    are narrowed by the link tables below; no links = all of them.
    """

    __tablename__ = "alert_preferences"
    __table_args__ = (db.CheckConstraint("days >= 0 AND days <= 127", name="days_mask"),)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    days = db.Column(db.Integer, nullable=False, default=ALL_DAYS)
    updated_at = db.Column(UTCDateTime, nullable=False, default=now_utc, onupdate=now_utc)


class AlertSite(db.Model):
    __tablename__ = "alert_sites"
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    site_id = db.Column(db.Integer, db.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)


class AlertGrade(db.Model):
    __tablename__ = "alert_grades"
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    grade_id = db.Column(db.Integer, db.ForeignKey("grades.id", ondelete="CASCADE"), primary_key=True)
