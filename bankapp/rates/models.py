from ..dbtypes import Decimal2, UTCDateTime
from ..extensions import db
from ..models_base import TimestampMixin, one_of

BANDS = ("weekday_day", "weekday_night", "weekend_day", "weekend_night", "bank_holiday")
# withdrawn: still pending when the shift was edited; the edit's own check replaced it.
VIOLATION_STATUSES = ("pending", "approved", "rejected", "withdrawn")
VIOLATION_ROLES = ("approver", "executive")


class RateCard(TimestampMixin, db.Model):
    """A version of the harmonised rate card, in force from ``effective_from``."""

    __tablename__ = "rate_cards"
    id = db.Column(db.Integer, primary_key=True)
    effective_from = db.Column(db.Date, nullable=False, unique=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    backdated_reason = db.Column(db.Text)
    note = db.Column(db.Text)

    rates = db.relationship(
        "RateCardRate", cascade="all, delete-orphan", lazy="selectin"
    )
    agency_caps = db.relationship(
        "AgencyCap", cascade="all, delete-orphan", lazy="selectin"
    )


class RateCardRate(db.Model):
    __tablename__ = "rate_card_rates"
    __table_args__ = (
        db.UniqueConstraint("rate_card_id", "grade_id", "band"),
        one_of("band", BANDS),
        db.CheckConstraint("hourly_rate > 0", name="rate_positive"),
    )
    id = db.Column(db.Integer, primary_key=True)
    rate_card_id = db.Column(
        db.Integer, db.ForeignKey("rate_cards.id", ondelete="CASCADE"), nullable=False
    )
    grade_id = db.Column(db.Integer, db.ForeignKey("grades.id"), nullable=False)
    band = db.Column(db.String(16), nullable=False)
    hourly_rate = db.Column(Decimal2, nullable=False)


class AgencyCap(db.Model):
    __tablename__ = "agency_caps"
    __table_args__ = (
        db.UniqueConstraint("rate_card_id", "grade_id"),
        db.CheckConstraint("hourly_cap > 0", name="cap_positive"),
    )
    id = db.Column(db.Integer, primary_key=True)
    rate_card_id = db.Column(
        db.Integer, db.ForeignKey("rate_cards.id", ondelete="CASCADE"), nullable=False
    )
    grade_id = db.Column(db.Integer, db.ForeignKey("grades.id"), nullable=False)
    hourly_cap = db.Column(Decimal2, nullable=False)


class RateViolation(TimestampMixin, db.Model):
    """A flat rate that costs more than the card: needs leadership approval."""

    __tablename__ = "rate_violations"
    __table_args__ = (
        one_of("status", VIOLATION_STATUSES),
        one_of("required_role", VIOLATION_ROLES),
    )
    id = db.Column(db.Integer, primary_key=True)
    shift_id = db.Column(
        db.Integer, db.ForeignKey("shifts.id"), nullable=False, index=True
    )
    status = db.Column(db.String(16), nullable=False, default="pending", index=True)
    required_role = db.Column(db.String(16), nullable=False)
    percent_over = db.Column(Decimal2, nullable=False)
    flat_rate = db.Column(Decimal2, nullable=False)
    flat_total = db.Column(Decimal2, nullable=False)
    card_total = db.Column(Decimal2, nullable=False)
    reason = db.Column(db.Text)
    requested_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    decided_at = db.Column(UTCDateTime)
    decision_note = db.Column(db.Text)

    shift = db.relationship(
        "Shift", lazy="joined", backref=db.backref("rate_violations", lazy="select")
    )
    requested_by = db.relationship("User", foreign_keys=[requested_by_id])
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])
