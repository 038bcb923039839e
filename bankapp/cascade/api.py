"""Agencies (admin) and, later, the cascade."""
from flask import g
from flask_smorest import Blueprint

from ..apiutil import ListQuerySchema, keyset_page, list_schema
from ..auth.permissions import api_auth
from ..extensions import db
from . import services
from .models import Agency
from .schemas import AgencySchema

blp = Blueprint("agencies_api", __name__, url_prefix="/api/v1", description="Agencies")
SECURITY = [{"bearerAuth": []}]
BLUEPRINTS = [blp]


@blp.post("/agencies")
@blp.arguments(AgencySchema)
@blp.response(201, AgencySchema)
@blp.doc(security=SECURITY)
@api_auth("admin")
def create_agency(body):
    agency = services.create_agency(**body, actor=g.actor)
    db.session.commit()
    return agency


@blp.get("/agencies")
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, list_schema(AgencySchema, "AgencyList"))
@blp.doc(security=SECURITY)
@api_auth("admin", "coordinator", "approver", "executive", "chief_executive")
def list_agencies(query):
    return keyset_page(db.session, db.select(Agency), Agency.id, **query)
