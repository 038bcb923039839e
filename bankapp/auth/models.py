from flask_login import UserMixin

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..models_base import TimestampMixin, one_of

ROLES = ("doctor", "coordinator", "approver", "staffing", "executive", "chief_executive", "agency", "payroll", "admin")
ROLE_LABELS = {
    "doctor": "Doctor",
    "coordinator": "Rota coordinator",
    "approver": "Approver",
    "staffing": "Temporary staffing team",
    "executive": "Executive",
    "chief_executive": "Chief executive",
    "agency": "Agency",
    "payroll": "Payroll",
    "admin": "Administrator",
}


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    mobile = db.Column(db.String(16))  # E.164
    sms_opt_in = db.Column(db.Boolean, nullable=False, default=False)
    agency_id = db.Column(db.Integer, db.ForeignKey("agencies.id"), index=True)
    anonymised_at = db.Column(UTCDateTime)
    # Stamped into each login session; raising it ends every session of the user (auth/sessions.py).
    session_version = db.Column(db.Integer, nullable=False, default=0, server_default="0")

    roles = db.relationship("UserRole", cascade="all, delete-orphan", lazy="selectin")
    site_links = db.relationship("UserSite", cascade="all, delete-orphan", lazy="selectin")
    doctor_profile = db.relationship("DoctorProfile", uselist=False, back_populates="user", lazy="selectin",
                                     foreign_keys="DoctorProfile.user_id")
    agency = db.relationship("Agency", lazy="joined")

    @property
    def is_active(self):
        return self.active

    @property
    def role_names(self):
        return sorted((r.role for r in self.roles), key=ROLES.index)

    @property
    def role_labels(self):
        return [ROLE_LABELS[r] for r in self.role_names]

    @property
    def site_ids(self):
        return sorted(link.site_id for link in self.site_links)

    def has_role(self, *roles):
        mine = {r.role for r in self.roles}
        return any(r in mine for r in roles)

    def __repr__(self):
        return f"<User {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (one_of("role", ROLES),)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role = db.Column(db.String(32), primary_key=True)


class UserSite(db.Model):
    """Site scope: for coordinators and approvers the sites they act on; for a
    doctor the sites they may work at (none listed = every site)."""

    __tablename__ = "user_sites"
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    site_id = db.Column(db.Integer, db.ForeignKey("sites.id"), primary_key=True)


class ApiToken(TimestampMixin, db.Model):
    """Bearer tokens; only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    expires_at = db.Column(UTCDateTime, nullable=False)
    revoked_at = db.Column(UTCDateTime)
    last_used_at = db.Column(UTCDateTime)

    user = db.relationship(User)


class PasswordReset(TimestampMixin, db.Model):
    """A code texted to a user who forgot their password (``auth/reset.py``).

    Only an HMAC of the code is kept. A reset is open until ``closed_at`` (used,
    or replaced by a newer one), ``expires_at`` or its last try.
    """

    __tablename__ = "password_resets"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    code_hash = db.Column(db.String(64), nullable=False)
    expires_at = db.Column(UTCDateTime, nullable=False)
    attempts = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    closed_at = db.Column(UTCDateTime)
