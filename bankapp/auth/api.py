"""API tokens: POST/DELETE /api/v1/auth/token."""
from flask import g
from flask_smorest import Blueprint

from ..errors import Unauthorized
from ..timeutil import format_london
from .permissions import api_auth
from .schemas import TokenRequestSchema, TokenSchema
from .services import issue_token, revoke_token, verify_credentials
from .throttle import throttled_login

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1/auth", description="API tokens")


@blp.post("/token")
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, description="Wrong email or password")
@throttled_login
def create_token(body):
    """Exchange email and password for a bearer token."""
    try:
        user = verify_credentials(body["email"], body["password"])
    except Unauthorized:
        raise
    token, row = issue_token(user)
    return {"token": token, "expires_at": format_london(row.expires_at)}


@blp.delete("/token")
@blp.response(204)
@blp.doc(security=[{"bearerAuth": []}])
@api_auth()
def delete_token():
    """Revoke the token used for this request."""
    revoke_token(g.api_token, actor=g.actor)
