"""Data protection API: your own data (GET /me/data) and anonymising a person (admin)."""
from flask import g
from flask_smorest import Blueprint

from ..auth.models import User
from ..auth.permissions import api_auth
from ..errors import NotFound
from ..extensions import db
from ..staff.schemas import UserSchema
from . import services
from .schemas import AnonymiseSchema, PersonalDataSchema

blp = Blueprint("dataprotection_api", __name__, url_prefix="/api/v1", description="Data protection")
SECURITY = [{"bearerAuth": []}]


@blp.get("/me/data")
@blp.response(200, PersonalDataSchema)
@blp.alt_response(401, description="No valid bearer token")
@blp.doc(security=SECURITY)
@api_auth()
def my_data():
    """Everything Staff Bank holds about you, and nothing about anyone else."""
    data = services.personal_data(g.actor)
    services.record_export(g.actor, actor=g.actor)
    return data


@blp.post("/users/<int:user_id>/anonymise")
@blp.arguments(AnonymiseSchema)
@blp.response(200, UserSchema)
@blp.alt_response(404, description="No such user")
@blp.alt_response(409, description="Future bookings (listed in reasons), or already anonymised")
@blp.doc(security=SECURITY)
@api_auth("admin")
def anonymise(body, user_id):
    """Anonymise a departed person: identity removed, ESR number, bookings, timesheets and pay kept."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    services.anonymise_user(user, actor=g.actor, reason=body.get("reason"))
    return user
