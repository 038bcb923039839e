from ..dbtypes import Decimal2, UTCDateTime
from ..extensions import db
from ..models_base import TimestampMixin
from ..timeutil import now_utc


class Site(TimestampMixin, db.Model):
    __tablename__ = "sites"
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(16), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False)
    # Medical staffing's phone number: doctors call it about a booking they can no longer cancel online.
    staffing_phone = db.Column(db.String(32))
    # Joined wherever a site is loaded (a shift joins its site), so the rules read the site's policy
    # without a statement of their own: a claim checks it on the hot path.
    policy = db.relationship("SitePolicy", uselist=False, lazy="joined", viewonly=True)

    def __repr__(self):
        return f"<Site {self.code}>"


class Department(TimestampMixin, db.Model):
    __tablename__ = "departments"
    __table_args__ = (db.UniqueConstraint("site_id", "name"),)
    id = db.Column(db.Integer, primary_key=True)
    site_id = db.Column(db.Integer, db.ForeignKey("sites.id"), nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False)
    specialty = db.Column(db.String(120), nullable=False)
    cost_centre = db.Column(db.String(32), nullable=False)

    site = db.relationship(Site, lazy="joined")


class Grade(TimestampMixin, db.Model):
    __tablename__ = "grades"
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(16), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False)
    rank = db.Column(db.Integer, nullable=False)


class SitePolicy(db.Model):
    """A site's own approval thresholds and windows; a null column means the trust default (the setting).

    Read through ``org.policies.policy_for(site_id)``, never directly.
    """

    __tablename__ = "site_policies"
    __table_args__ = (
        db.CheckConstraint("approver_max_percent IS NULL OR approver_max_percent >= 0", name="percent_not_negative"),
        db.CheckConstraint("bank_only_window_hours IS NULL OR bank_only_window_hours >= 0", name="window_not_negative"),
        db.CheckConstraint("cascade_urgent_within_hours IS NULL OR cascade_urgent_within_hours >= 0",
                           name="urgent_not_negative"),
        db.CheckConstraint("tier1_window_hours IS NULL OR tier1_window_hours >= 0", name="tier1_not_negative"),
        db.CheckConstraint("doctor_cancel_cutoff_hours IS NULL OR doctor_cancel_cutoff_hours >= 0",
                           name="cutoff_not_negative"),
    )
    site_id = db.Column(db.Integer, db.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    approver_max_percent = db.Column(Decimal2)
    bank_only_window_hours = db.Column(db.Integer)
    cascade_urgent_within_hours = db.Column(db.Integer)
    tier1_window_hours = db.Column(db.Integer)
    doctor_cancel_cutoff_hours = db.Column(db.Integer)
    updated_at = db.Column(UTCDateTime, nullable=False, default=now_utc, onupdate=now_utc)
    updated_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
