from ..dbtypes import Decimal2, UTCDateTime
from ..extensions import db
from ..models_base import TimestampMixin, one_of
from ..timeutil import now_utc

SHIFT_STATUSES = ("pending_rate_approval", "open", "released_tier1", "released_tier2", "booked", "cancelled",
                  "completed")
CLAIMABLE_STATUSES = ("open", "released_tier1", "released_tier2")
BOOKING_SOURCES = ("bank", "agency")
BOOKING_STATUSES = ("booked", "cancelled", "completed")


class Shift(TimestampMixin, db.Model):
    __tablename__ = "shifts"
    __table_args__ = (
        db.CheckConstraint("end_at > start_at", name="end_after_start"),
        one_of("status", SHIFT_STATUSES),
        db.Index("ix_shifts_status_start", "status", "start_at"),
        # GET /shifts?status=… pages by id: without it PostgreSQL walks the whole primary key.
        db.Index("ix_shifts_status_id", "status", "id"),
        db.Index("ix_shifts_site_start", "site_id", "start_at"),
    )
    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.Integer, db.ForeignKey("sites.id"), nullable=False)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False, index=True)
    grade_id = db.Column(db.Integer, db.ForeignKey("grades.id"), nullable=False, index=True)
    start_at = db.Column(UTCDateTime, nullable=False)
    end_at = db.Column(UTCDateTime, nullable=False)
    status = db.Column(db.String(32), nullable=False, default="open")
    # Flat hourly rate; None = card rates per band.
    hourly_rate = db.Column(Decimal2)
    reason = db.Column(db.Text)
    # What the doctor on the shift should know (where to report, whom to ask); editable until it is worked.
    notes = db.Column(db.Text)
    retrospective = db.Column(db.Boolean, nullable=False, default=False)
    posted_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    updated_at = db.Column(UTCDateTime, nullable=False, default=now_utc, onupdate=now_utc)
    # When bank doctors could first claim it: at posting, or when its off-card rate was approved. The
    # bank-only window before agency cover runs from here, not from creation.
    opened_at = db.Column(UTCDateTime)
    released_tier1_at = db.Column(UTCDateTime)
    released_tier2_at = db.Column(UTCDateTime)
    cancelled_at = db.Column(UTCDateTime)
    cancelled_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    cancel_reason = db.Column(db.Text)

    site = db.relationship("Site", lazy="joined")
    department = db.relationship("Department", lazy="joined")
    grade = db.relationship("Grade", lazy="joined")
    posted_by = db.relationship("User", foreign_keys=[posted_by_id])


class Booking(TimestampMixin, db.Model):
    """A doctor (bank) or an agency locum on a shift.

    At most one live (not cancelled) booking per shift, enforced by a partial
    unique index on both engines.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        one_of("source", BOOKING_SOURCES),
        one_of("status", BOOKING_STATUSES),
        db.Index("uq_bookings_one_live_per_shift", "shift_id", unique=True,
                 postgresql_where=db.text("status <> 'cancelled'"),
                 sqlite_where=db.text("status <> 'cancelled'")),
        db.Index("ix_bookings_doctor_status", "doctor_id", "status"),
    )
    id = db.Column(db.Integer, primary_key=True)
    shift_id = db.Column(db.Integer, db.ForeignKey("shifts.id"), nullable=False)
    doctor_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    source = db.Column(db.String(16), nullable=False, default="bank")
    status = db.Column(db.String(16), nullable=False, default="booked")
    # Agency charge per hour, for agency bookings.
    charge_rate = db.Column(Decimal2)
    agency_offer_id = db.Column(db.Integer)
    override_reason = db.Column(db.Text)
    booked_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    cancelled_at = db.Column(UTCDateTime)
    cancelled_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    cancel_reason = db.Column(db.Text)

    shift = db.relationship(Shift, lazy="joined", backref=db.backref("bookings", lazy="select"))
    doctor = db.relationship("User", foreign_keys=[doctor_id])
