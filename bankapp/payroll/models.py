"""Payroll export batches: counts, totals and the stored CSV files."""
from ..dbtypes import Decimal2, UTCDateTime
from ..extensions import db
from ..timeutil import now_utc


class PayrollExport(db.Model):
    """One export batch. Its rows never change after creation.

    ``timesheet_count``/``total_amount`` describe the ESR file (bank doctors);
    ``agency_timesheet_count``/``agency_total_amount`` the agency file. Each
    total is the exact sum of its file's ``amount`` column.
    """

    __tablename__ = "payroll_exports"
    __table_args__ = (
        db.CheckConstraint("timesheet_count >= 0", name="count_not_negative"),
        db.CheckConstraint("timesheet_count + agency_timesheet_count > 0", name="not_empty"),
    )
    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    timesheet_count = db.Column(db.Integer, nullable=False)
    total_amount = db.Column(Decimal2, nullable=False)
    late_count = db.Column(db.Integer, nullable=False, default=0)
    agency_timesheet_count = db.Column(db.Integer, nullable=False, default=0)
    agency_total_amount = db.Column(Decimal2, nullable=False, default=0)
    esr_csv = db.Column(db.Text, nullable=False)
    esr_csv_sha256 = db.Column(db.String(64), nullable=False)
    agency_csv = db.Column(db.Text, nullable=False)
    agency_csv_sha256 = db.Column(db.String(64), nullable=False)
    late_csv = db.Column(db.Text, nullable=False)

    created_by = db.relationship("User", lazy="joined")
