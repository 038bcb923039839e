"""API tokens (POST/DELETE /api/v1/auth/token) and a forgotten password reset by SMS code."""
from flask import g
from flask_smorest import Blueprint

from ..errors import Unauthorized
from ..timeutil import format_london
from ..transactions import keep_on_error
from . import reset
from .permissions import api_auth
from .schemas import (
    PasswordResetAcceptedSchema,
    PasswordResetConfirmSchema,
    PasswordResetRequestSchema,
    TokenRequestSchema,
    TokenSchema,
)
from .services import issue_token, revoke_token, verify_credentials
from .throttle import throttled_login, throttled_reset

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1/auth", description="API tokens")


@blp.post("/token")
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, description="Wrong email or password")
@blp.alt_response(429, description="Too many failed logins for this account or from this address")
@throttled_login
def create_token(body):
    """Exchange email and password for a bearer token.

    Failed attempts are limited per account (5 in 15 minutes) and per client address (30), counted
    together with the login form. A new password revokes every token of the user."""
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


@blp.post("/password-reset")
@blp.arguments(PasswordResetRequestSchema)
@blp.response(202, PasswordResetAcceptedSchema)
@blp.alt_response(429, description="Too many resets asked for this account or from this address")
@throttled_reset(count_every_request=True)
def ask_for_reset(body):
    """Forgotten password: text a 6-digit code to the account's mobile.

    Always `202` with the same answer, whether or not an account uses the email (nothing is told). The code
    works for 10 minutes and 5 tries; a new request replaces it. Limited per account and per address like
    logins."""
    reset.request_reset(body["email"])
    return {"detail": reset.ASKED}


@blp.post("/password-reset/confirm")
@blp.arguments(PasswordResetConfirmSchema)
@blp.response(204)
@blp.alt_response(422, description="The code is wrong, expired or out of tries (always the same message, under "
                                   "`errors.code`), or the new password breaks the rules (`errors.new_password`)")
@blp.alt_response(429, description="Too many failed codes for this account or from this address")
@throttled_reset(count_every_request=False)
def confirm_reset(body):
    """Set a new password with the texted code. Every session of the user ends and every API token is revoked."""
    keep_on_error()  # a wrong code still counts as one of its 5 tries
    reset.confirm_reset(body["email"], body["code"].strip(), body["new_password"])
