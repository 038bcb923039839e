from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db
from ..models_base import TimestampMixin, one_of

MESSAGE_STATUSES = ("queued", "sending", "sent", "delivered", "failed", "suppressed")


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
    )
    id = db.Column(db.Integer, primary_key=True)
    to = db.Column(db.String(16), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    body = db.Column(db.Text, nullable=False)
    kind = db.Column(db.String(32), nullable=False)
    status = db.Column(db.String(16), nullable=False, default="queued")
    dedupe_key = db.Column(db.String(128), unique=True)
    send_after = db.Column(UTCDateTime, nullable=False, default=utcnow)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.Text)
    provider_sid = db.Column(db.String(64), index=True)
    sent_at = db.Column(UTCDateTime)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
