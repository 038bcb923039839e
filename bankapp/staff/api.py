"""Users and compliance documents (admin)."""
from flask import g
from flask_smorest import Blueprint

from ..apiutil import ListQuerySchema, keyset_page, list_schema
from ..auth.models import User
from ..auth.permissions import api_auth
from ..errors import NotFound
from ..extensions import db
from . import document_api, services
from .models import ComplianceDocument
from .schemas import DocumentCreateSchema, DocumentSchema, UserCreateSchema, UserSchema, UserUpdateSchema

blp = Blueprint("staff_api", __name__, url_prefix="/api/v1", description="Users and compliance documents")
SECURITY = [{"bearerAuth": []}]
BLUEPRINTS = [blp, document_api.blp]


@blp.post("/users")
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, description="Email, ESR or GMC number already in use")
@blp.doc(security=SECURITY)
@api_auth("admin")
def create_user(body):
    user = services.create_person(**body, actor=g.actor)
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
    return _user_or_404(user_id)


@blp.patch("/users/<int:user_id>")
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserSchema)
@blp.alt_response(409, description="Email, ESR or GMC number already in use")
@blp.doc(security=SECURITY)
@api_auth("admin")
def update_user(body, user_id):
    """Change a person's details: only the fields sent. A new grade applies to shifts claimed from now on."""
    user = _user_or_404(user_id)
    services.update_person(user, **body, actor=g.actor)
    return user


def _user_or_404(user_id) -> User:
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
    doc = services.add_document(_user_or_404(user_id), **body, actor=g.actor)
    return doc


@blp.get("/users/<int:user_id>/documents")
@blp.response(200, list_schema(DocumentSchema, "DocumentList"))
@blp.doc(security=SECURITY)
@api_auth()
def list_documents(user_id):
    if g.actor.id != user_id and not g.actor.has_role("admin"):
        raise NotFound("No such user.")
    return {"items": services.documents_of(user_id), "next": None}


@blp.delete("/users/<int:user_id>/documents/<int:document_id>")
@blp.response(204)
@blp.doc(security=SECURITY)
@api_auth("admin")
def remove_document(user_id, document_id):
    """Take away a document recorded in error; the audit log keeps what it said."""
    doc = db.session.get(ComplianceDocument, document_id)
    if doc is None or doc.user_id != user_id:
        raise NotFound("No such document.")
    services.remove_document(doc, actor=g.actor)
