from ..extensions import db
from ..models_base import TimestampMixin


class Site(TimestampMixin, db.Model):
    __tablename__ = "sites"
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(16), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False)

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
