from ..dbtypes import UTCDateTime
from ..extensions import db
from ..models_base import TimestampMixin, one_of
from .documents import DOCUMENT_KINDS, DOCUMENT_STATUSES


class DoctorProfile(TimestampMixin, db.Model):
    __tablename__ = "doctor_profiles"
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    grade_id = db.Column(db.Integer, db.ForeignKey("grades.id"), index=True)
    esr_assignment_number = db.Column(db.String(16), unique=True)
    gmc_number = db.Column(db.String(16), unique=True)
    # Secret for the personal iCalendar feed URL.
    calendar_token = db.Column(db.String(64), unique=True)
    # A recorded opt-out of the 48-hour average (working-time regulations): 56 h a week over 26 weeks
    # instead. When and by whom it was recorded; null: no opt-out.
    wtr_opt_out_at = db.Column(UTCDateTime)
    wtr_opt_out_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    user = db.relationship("User", back_populates="doctor_profile", foreign_keys=[user_id])
    wtr_opt_out_by = db.relationship("User", foreign_keys=[wtr_opt_out_by_id])
    grade = db.relationship("Grade", lazy="joined")


class StoredFileMixin:
    """An uploaded file kept by ``staff.storage``: its random key, the type read from its bytes, its size."""

    file_key = db.Column(db.String(32))
    content_type = db.Column(db.String(32))
    file_size = db.Column(db.Integer)

    @property
    def has_file(self) -> bool:
        return self.file_key is not None


class ComplianceDocument(StoredFileMixin, TimestampMixin, db.Model):
    """One compliance document of a person. Only ``verified`` ones count for claims and alerts.

    A document an admin (or staffing) enters is verified by them at once; a
    doctor's upload waits (``awaiting_verification``) until staffing of their
    sites or an admin verifies or rejects it. A row written without a status
    (the admin's entry, data loaders) is verified: the server default.
    """

    __tablename__ = "compliance_documents"
    __table_args__ = (one_of("kind", DOCUMENT_KINDS), one_of("status", DOCUMENT_STATUSES))
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = db.Column(db.String(32), nullable=False)
    expires_on = db.Column(db.Date, nullable=False)
    reference = db.Column(db.String(64))
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    status = db.Column(db.String(24), nullable=False, default="verified", server_default="verified")
    verified_at = db.Column(UTCDateTime)
    verified_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    decision_note = db.Column(db.Text)

    user = db.relationship("User", foreign_keys=[user_id])
