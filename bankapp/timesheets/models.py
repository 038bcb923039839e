"""Timesheet and the pay lines written when it is approved."""
from sqlalchemy.orm import validates

from ..dbtypes import Decimal2, UTCDateTime
from ..extensions import db
from ..models_base import TimestampMixin, one_of
from ..timeutil import BANDS, now_utc

TIMESHEET_STATUSES = ("submitted", "approved", "rejected", "queried")


class Timesheet(TimestampMixin, db.Model):
    """One per booking (unique ``booking_id``): the actual times worked.

    ``doctor_id`` is empty for agency bookings (the locum has no user).
    ``late`` is set at approval when it came after the pay-run cut-off the
    timesheet was due for. ``exported_batch_id`` is set once, by a payroll
    export, and never changes afterwards.
    """

    __tablename__ = "timesheets"
    __table_args__ = (
        one_of("status", TIMESHEET_STATUSES),
        db.CheckConstraint("actual_end > actual_start", name="end_after_start"),
        db.CheckConstraint("break_minutes >= 0", name="break_not_negative"),
        db.Index("ix_timesheets_status_exported", "status", "exported_batch_id"),
    )
    id = db.Column(db.Integer, primary_key=True)
    booking_id = db.Column(db.Integer, db.ForeignKey("bookings.id"), nullable=False, unique=True)
    doctor_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    site_id = db.Column(db.Integer, db.ForeignKey("sites.id"), nullable=False, index=True)
    status = db.Column(db.String(16), nullable=False, default="submitted")
    actual_start = db.Column(UTCDateTime, nullable=False)
    actual_end = db.Column(UTCDateTime, nullable=False)
    break_minutes = db.Column(db.Integer, nullable=False, default=0)
    note = db.Column(db.Text)
    query_note = db.Column(db.Text)
    decision_note = db.Column(db.Text)
    submitted_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    submitted_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    decided_at = db.Column(UTCDateTime)
    approved_at = db.Column(UTCDateTime)
    late = db.Column(db.Boolean, nullable=False, default=False)
    exported_batch_id = db.Column(db.Integer, db.ForeignKey("payroll_exports.id"), index=True)
    updated_at = db.Column(UTCDateTime, nullable=False, default=now_utc, onupdate=now_utc)

    booking = db.relationship("Booking", lazy="joined")
    doctor = db.relationship("User", foreign_keys=[doctor_id], lazy="joined")
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])
    pay_lines = db.relationship("PayLine", cascade="all, delete-orphan", lazy="selectin",
                                order_by="PayLine.position")

    @validates("exported_batch_id")
    def _exported_once(self, _key, value):
        if self.exported_batch_id is not None and value != self.exported_batch_id:
            raise ValueError(f"Timesheet {self.id} is already in payroll export {self.exported_batch_id}.")
        return value

    @property
    def shift(self):
        return self.booking.shift

    @property
    def is_agency(self) -> bool:
        return self.booking.source == "agency"


class PayLine(db.Model):
    """One band of an approved timesheet's pay; written once, never changed."""

    __tablename__ = "timesheet_pay_lines"
    __table_args__ = (
        db.UniqueConstraint("timesheet_id", "band"),
        one_of("band", BANDS),
        db.CheckConstraint("minutes > 0", name="minutes_positive"),
    )
    id = db.Column(db.Integer, primary_key=True)
    timesheet_id = db.Column(db.Integer, db.ForeignKey("timesheets.id", ondelete="CASCADE"), nullable=False)
    position = db.Column(db.Integer, nullable=False)
    band = db.Column(db.String(16), nullable=False)
    minutes = db.Column(db.Integer, nullable=False)
    rate = db.Column(Decimal2, nullable=False)
    amount = db.Column(Decimal2, nullable=False)
