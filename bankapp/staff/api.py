"""Users and compliance documents (admin)."""
from flask import g
from flask_smorest import Blueprint

from ..apiutil import ListQuerySchema, keyset_page, list_schema
from ..auth.models import User
from ..auth.permissions import api_auth
from ..errors import NotFound
from ..extensions import db
from . import services
from .schemas import DocumentCreateSchema, DocumentSchema, UserCreateSchema, UserSchema

blp = Blueprint("staff_api", __name__, url_prefix="/api/v1", description="Users and compliance documents")
SECURITY = [{"bearerAuth": []}]


@blp.post("/users")
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, description="Email, ESR or GMC number already in use")
@blp.doc(security=SECURITY)
@api_auth("admin")
def create_user(body):
    user = services.create_person(**body, actor=g.actor)
    db.session.commit()
    return user


@blp.get("/users")
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, list_schema(UserSchema, "UserList"))
@blp.doc(security=SECURITY)
@api_auth("admin")
def list_users(query):
    return keyset_page(db.session, db.select(User), User.id, **query)


@blp.get("/users/<int:user_id>")
@blp.response(200, UserSchema)
@blp.doc(security=SECURITY)
@api_auth()
def get_user(user_id):
    """Admins read anyone; everyone else only themselves."""
    if g.actor.id != user_id and not g.actor.has_role("admin"):
        raise NotFound("No such user.")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


@blp.post("/users/<int:user_id>/documents")
@blp.arguments(DocumentCreateSchema)
@blp.response(201, DocumentSchema)
@blp.doc(security=SECURITY)
@api_auth("admin")
def add_document(body, user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    doc = services.add_document(user, **body, actor=g.actor)
    db.session.commit()
    return doc


@blp.get("/users/<int:user_id>/documents")
@blp.response(200, list_schema(DocumentSchema, "DocumentList"))
@blp.doc(security=SECURITY)
@api_auth()
def list_documents(user_id):
    if g.actor.id != user_id and not g.actor.has_role("admin"):
        raise NotFound("No such user.")
    return {"items": services.documents_of(user_id), "next": None}
