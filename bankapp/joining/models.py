"""Applications to join the bank, their documents and notes, set-password links, and cross-site requests."""
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..models_base import TimestampMixin, one_of
from ..staff.documents import DOCUMENT_KINDS
from ..staff.models import StoredFileMixin
from .rules import APPLICATION_STATUSES, CHECKLIST, LIVE_STATUSES, SITE_REQUEST_STATUSES

_LIVE = "status IN ({})".format(", ".join(f"'{s}'" for s in LIVE_STATUSES))


def _live_unique(name, column):
    """One live application per value of ``column`` (the database's guard against two at once)."""
    return db.Index(name, column, unique=True, postgresql_where=db.text(_LIVE), sqlite_where=db.text(_LIVE))


class Application(TimestampMixin, db.Model):
    """Someone asking to join the bank. ``token`` is the secret of their status page (sent in their texts)."""

    __tablename__ = "applications"
    __table_args__ = (one_of("status", APPLICATION_STATUSES),
                      _live_unique("uq_applications_live_email", "email"),
                      _live_unique("uq_applications_live_gmc_number", "gmc_number"))
    id = db.Column(db.Integer, primary_key=True)
    token = db.Column(db.String(64), nullable=False, unique=True)
    status = db.Column(db.String(24), nullable=False, default="awaiting_mobile")
    name = db.Column(db.String(120), nullable=False)
    email = db.Column(db.String(254), nullable=False, index=True)
    mobile = db.Column(db.String(16), nullable=False)
    gmc_number = db.Column(db.String(7), nullable=False, index=True)
    grade_id = db.Column(db.Integer, db.ForeignKey("grades.id"), nullable=False)
    specialties = db.Column(db.JSON, nullable=False, default=list)
    sms_opt_in = db.Column(db.Boolean, nullable=False, default=False)
    # The 6-digit code that confirms the mobile: only its hash, when it lapses, and the wrong tries so far.
    code_hash = db.Column(db.String(64))
    code_expires_at = db.Column(UTCDateTime)
    code_tries = db.Column(db.Integer, nullable=False, default=0)
    submitted_at = db.Column(UTCDateTime)
    # Staffing's checklist (rules.CHECKLIST), and the decision.
    documents_verified = db.Column(db.Boolean, nullable=False, default=False)
    references_recorded = db.Column(db.Boolean, nullable=False, default=False)
    right_to_work_and_id_seen = db.Column(db.Boolean, nullable=False, default=False)
    grade_confirmed = db.Column(db.Boolean, nullable=False, default=False)
    esr_assignment_number = db.Column(db.String(16))
    decided_at = db.Column(UTCDateTime)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    decision_note = db.Column(db.Text)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    grade = db.relationship("Grade", lazy="joined")
    site_links = db.relationship("ApplicationSite", cascade="all, delete-orphan", lazy="selectin")
    documents = db.relationship("ApplicationDocument", cascade="all, delete-orphan", lazy="selectin",
                                order_by="ApplicationDocument.id")
    notes = db.relationship("ApplicationNote", cascade="all, delete-orphan", lazy="selectin",
                            order_by="ApplicationNote.id")

    @property
    def site_ids(self):
        return sorted(link.site_id for link in self.site_links)

    @property
    def checklist(self) -> dict:
        return {item: bool(getattr(self, item)) for item in CHECKLIST}


class ApplicationSite(db.Model):
    __tablename__ = "application_sites"
    application_id = db.Column(db.Integer, db.ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    site_id = db.Column(db.Integer, db.ForeignKey("sites.id"), primary_key=True)


class ApplicationDocument(StoredFileMixin, TimestampMixin, db.Model):
    """A compliance document uploaded with an application (kept like a doctor's own uploads)."""

    __tablename__ = "application_documents"
    __table_args__ = (one_of("kind", DOCUMENT_KINDS),)
    id = db.Column(db.Integer, primary_key=True)
    application_id = db.Column(db.Integer, db.ForeignKey("applications.id", ondelete="CASCADE"), nullable=False,
                               index=True)
    kind = db.Column(db.String(32), nullable=False)
    expires_on = db.Column(db.Date, nullable=False)


class ApplicationNote(TimestampMixin, db.Model):
    __tablename__ = "application_notes"
    id = db.Column(db.Integer, primary_key=True)
    application_id = db.Column(db.Integer, db.ForeignKey("applications.id", ondelete="CASCADE"), nullable=False,
                               index=True)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    text = db.Column(db.Text, nullable=False)

    author = db.relationship("User", lazy="joined")


class PasswordLink(TimestampMixin, db.Model):
    """A one-time link to set a password (a new doctor's first): only the token's SHA-256 is kept."""

    __tablename__ = "password_links"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    expires_at = db.Column(UTCDateTime, nullable=False)
    used_at = db.Column(UTCDateTime)

    user = db.relationship("User")


class SiteRequest(TimestampMixin, db.Model):
    """A doctor asking to work at another site; decided by staffing or a coordinator of that site."""

    __tablename__ = "site_requests"
    __table_args__ = (one_of("status", SITE_REQUEST_STATUSES),
                      db.Index("uq_site_requests_one_pending", "doctor_id", "site_id", unique=True,
                               postgresql_where=db.text("status = 'pending'"),
                               sqlite_where=db.text("status = 'pending'")))
    id = db.Column(db.Integer, primary_key=True)
    doctor_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    site_id = db.Column(db.Integer, db.ForeignKey("sites.id"), nullable=False, index=True)
    status = db.Column(db.String(16), nullable=False, default="pending")
    induction_on = db.Column(db.Date)
    decided_at = db.Column(UTCDateTime)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    decision_note = db.Column(db.Text)

    doctor = db.relationship("User", foreign_keys=[doctor_id], lazy="joined")
    site = db.relationship("Site", lazy="joined")
