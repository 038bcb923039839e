from ..extensions import db
from ..models_base import TimestampMixin


class Agency(TimestampMixin, db.Model):
    __tablename__ = "agencies"
    __table_args__ = (db.CheckConstraint("tier IN (1, 2)", name="tier_valid"),)
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False, unique=True)
    tier = db.Column(db.Integer, nullable=False)
    on_framework = db.Column(db.Boolean, nullable=False, default=True)
