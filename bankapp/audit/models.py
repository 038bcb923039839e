from ..dbtypes import Decimal2, UTCDateTime
from ..extensions import db
from ..models_base import one_of
from ..timeutil import now_utc
from .guard import install_on_create

BREACH_TYPES = ("rate_violation", "agency_over_cap", "off_framework", "agency_over_ceo_rate", "wtr_override",
                "late_timesheet")


class AuditEvent(db.Model):
    """One row per state change, written in the same transaction as the change.

    Rows are never updated or deleted by the application (on PostgreSQL the
    database refuses it: ``guard.py``). ``prev_hash`` and ``hash`` chain the
    rows so that an edit or a deletion can be detected.
    """

    __tablename__ = "audit_events"
    __table_args__ = (db.Index("ix_audit_events_entity", "entity_type", "entity_id"),)
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, default=now_utc, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    action = db.Column(db.String(64), nullable=False)
    entity_type = db.Column(db.String(64), nullable=False)
    entity_id = db.Column(db.String(64), nullable=False)
    before = db.Column(db.JSON)
    after = db.Column(db.JSON)
    # Position in the hash chain, given when the row is sealed (see services).
    seq = db.Column(db.Integer, unique=True)
    prev_hash = db.Column(db.String(64))
    hash = db.Column(db.String(64))

    actor = db.relationship("User", lazy="joined")


class Breach(db.Model):
    """The breach register leadership reads: every exception to the rules."""

    __tablename__ = "breaches"
    __table_args__ = (one_of("type", BREACH_TYPES), db.Index("ix_breaches_type_at", "type", "at"))
    id = db.Column(db.Integer, primary_key=True)
    type = db.Column(db.String(32), nullable=False)
    at = db.Column(UTCDateTime, nullable=False, default=now_utc, index=True)
    site_id = db.Column(db.Integer, db.ForeignKey("sites.id"), nullable=False, index=True)
    shift_id = db.Column(db.Integer, db.ForeignKey("shifts.id"), index=True)
    amount_over = db.Column(Decimal2)
    approved_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    reason = db.Column(db.Text)
    # Entity that gave rise to it (e.g. "rate_violation", 12).
    source_type = db.Column(db.String(32))
    source_id = db.Column(db.Integer)

    approved_by = db.relationship("User", lazy="joined")


class AuditSeal(db.Model):
    """One row per sealing run that sealed anything: the head of the chain then.

    ``verify-audit`` compares the chain with the latest seal, and with every
    head in the anchor file outside the database, so deleting the newest
    sealed events (which leaves no gap behind) is detected too.
    """

    __tablename__ = "audit_seals"
    id = db.Column(db.Integer, primary_key=True)
    sealed_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    first_seq = db.Column(db.Integer, nullable=False)
    last_seq = db.Column(db.Integer, nullable=False)
    last_hash = db.Column(db.String(64), nullable=False)


# On PostgreSQL the database itself refuses changes to both tables (guard.py).
install_on_create(AuditEvent.__table__)
install_on_create(AuditSeal.__table__)
