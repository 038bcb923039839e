"""Payroll export batches: counts, totals and the stored CSV files."""
from ..dbtypes import Decimal2, UTCDateTime
from ..extensions import db
from ..timeutil import now_utc


class PayrollExport(db.Model):
    """One export batch. Its rows never change after creation.

    ``timesheet_count``/``total_amount`` cover every timesheet of the batch:
    ``esr_count``/``esr_total`` the ESR file (bank doctors) plus
    ``agency_count``/``agency_total`` the agency file. Each file's total is the
    exact sum of its ``amount`` column; the database holds the sums together.
    """

    __tablename__ = "payroll_exports"
    __table_args__ = (
        db.CheckConstraint("esr_count >= 0 AND agency_count >= 0", name="count_not_negative"),
        db.CheckConstraint("timesheet_count > 0", name="not_empty"),
        db.CheckConstraint("timesheet_count = esr_count + agency_count", name="count_adds_up"),
        db.CheckConstraint("total_amount = esr_total + agency_total", name="total_adds_up"),
    )
    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    timesheet_count = db.Column(db.Integer, nullable=False)
    total_amount = db.Column(Decimal2, nullable=False)
    esr_count = db.Column(db.Integer, nullable=False)
    esr_total = db.Column(Decimal2, nullable=False)
    late_count = db.Column(db.Integer, nullable=False, default=0)
    agency_count = db.Column(db.Integer, nullable=False, default=0)
    agency_total = db.Column(Decimal2, nullable=False, default=0)
    esr_csv = db.Column(db.Text, nullable=False)
    esr_csv_sha256 = db.Column(db.String(64), nullable=False)
    agency_csv = db.Column(db.Text, nullable=False)
    agency_csv_sha256 = db.Column(db.String(64), nullable=False)
    late_csv = db.Column(db.Text, nullable=False)

    created_by = db.relationship("User", lazy="joined")
