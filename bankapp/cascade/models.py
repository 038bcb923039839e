"""Agencies, cascade requests, agency offers and the notices agencies read."""
from ..dbtypes import Decimal2, UTCDateTime
from ..extensions import db
from ..models_base import TimestampMixin, one_of

CASCADE_STATUSES = ("pending_approval", "approved", "rejected", "withdrawn")
OFFER_STATUSES = ("offered", "pending_executive_approval", "accepted", "declined", "withdrawn")
# Offers still in play: they block nothing, but are declined or withdrawn when the shift is filled.
LIVE_OFFER_STATUSES = ("offered", "pending_executive_approval")
NOTICE_KINDS = ("offer_accepted", "offer_declined", "offer_withdrawn", "offer_pending_approval")


class Agency(TimestampMixin, db.Model):
    __tablename__ = "agencies"
    __table_args__ = (db.CheckConstraint("tier IN (1, 2)", name="tier_valid"),)
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False, unique=True)
    tier = db.Column(db.Integer, nullable=False)
    on_framework = db.Column(db.Boolean, nullable=False, default=True)


class CascadeRequest(TimestampMixin, db.Model):
    """A coordinator's request to send a shift the bank cannot fill to agencies.

    At most one request per shift awaits a decision at a time.
    """

    __tablename__ = "cascade_requests"
    __table_args__ = (
        one_of("status", CASCADE_STATUSES),
        db.Index("uq_cascade_requests_one_pending_per_shift", "shift_id", unique=True,
                 postgresql_where=db.text("status = 'pending_approval'"),
                 sqlite_where=db.text("status = 'pending_approval'")),
    )
    id = db.Column(db.Integer, primary_key=True)
    shift_id = db.Column(db.Integer, db.ForeignKey("shifts.id"), nullable=False, index=True)
    status = db.Column(db.String(24), nullable=False, default="pending_approval", index=True)
    reason = db.Column(db.Text, nullable=False)
    requested_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    decided_at = db.Column(UTCDateTime)
    note = db.Column(db.Text)

    shift = db.relationship("Shift", lazy="joined")
    requested_by = db.relationship("User", foreign_keys=[requested_by_id], lazy="joined")
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])


class AgencyOffer(TimestampMixin, db.Model):
    """An agency's offer of a named locum for a released shift.

    ``over_cap_amount`` is the charge above the grade's agency cap per hour
    (0.00 within it); ``cap`` is the cap it was measured against. Both are
    taken when the offer is made and again when it is accepted. At most one
    offer per shift is ever accepted (partial unique index).
    """

    __tablename__ = "agency_offers"
    __table_args__ = (
        one_of("status", OFFER_STATUSES),
        db.CheckConstraint("charge_rate > 0", name="charge_positive"),
        db.Index("uq_agency_offers_one_accepted_per_shift", "shift_id", unique=True,
                 postgresql_where=db.text("status = 'accepted'"),
                 sqlite_where=db.text("status = 'accepted'")),
        db.Index("ix_agency_offers_shift_status", "shift_id", "status"),
        db.Index("ix_agency_offers_agency_status", "agency_id", "status"),
    )
    id = db.Column(db.Integer, primary_key=True)
    shift_id = db.Column(db.Integer, db.ForeignKey("shifts.id"), nullable=False)
    agency_id = db.Column(db.Integer, db.ForeignKey("agencies.id"), nullable=False)
    offered_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    locum_name = db.Column(db.String(120), nullable=False)
    gmc_number = db.Column(db.String(16), nullable=False)
    grade_id = db.Column(db.Integer, db.ForeignKey("grades.id"), nullable=False)
    charge_rate = db.Column(Decimal2, nullable=False)
    status = db.Column(db.String(32), nullable=False, default="offered")
    cap = db.Column(Decimal2)
    over_cap_amount = db.Column(Decimal2)
    off_framework = db.Column(db.Boolean, nullable=False, default=False)
    accepted_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    accepted_at = db.Column(UTCDateTime)
    approval_reason = db.Column(db.Text)
    approved_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    decided_at = db.Column(UTCDateTime)
    booking_id = db.Column(db.Integer, db.ForeignKey("bookings.id"))

    shift = db.relationship("Shift", lazy="joined")
    agency = db.relationship(Agency, lazy="joined")
    grade = db.relationship("Grade", lazy="joined")
    offered_by = db.relationship("User", foreign_keys=[offered_by_id])
    accepted_by = db.relationship("User", foreign_keys=[accepted_by_id])
    approved_by = db.relationship("User", foreign_keys=[approved_by_id])


class AgencyNotice(TimestampMixin, db.Model):
    """What an agency is told about its offers (shown in the agency portal)."""

    __tablename__ = "agency_notices"
    __table_args__ = (one_of("kind", NOTICE_KINDS),)
    id = db.Column(db.Integer, primary_key=True)
    agency_id = db.Column(db.Integer, db.ForeignKey("agencies.id"), nullable=False, index=True)
    shift_id = db.Column(db.Integer, db.ForeignKey("shifts.id"), nullable=False)
    offer_id = db.Column(db.Integer, db.ForeignKey("agency_offers.id"))
    kind = db.Column(db.String(32), nullable=False)
    message = db.Column(db.Text, nullable=False)
