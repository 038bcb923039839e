"""Who may do what, and where. Used by every API endpoint and page.

- ``api_auth(*roles)`` authenticates a bearer token and checks roles.
- ``page_roles(*roles)`` does the same for pages with the session login.
- ``require_site(user, site_id, *roles)`` checks site scope: coordinators and
  approvers act only on their sites; executives, payroll and admins see the
  whole trust.
"""
from functools import wraps

from flask import abort, current_app, g, has_request_context, request
from flask_login import current_user, login_required
from sqlalchemy import bindparam, event

from ..errors import Forbidden, Unauthorized
from ..extensions import db
from ..timeutil import now_utc
from ..transactions import request_succeeded
from .models import ApiToken
from .services import find_live_token

SITE_SCOPED_ROLES = ("coordinator", "approver", "staffing")
TRUST_WIDE_ROLES = ("executive", "chief_executive", "admin", "payroll")
# Seniority for approvals that name a required role ("or higher").
APPROVAL_RANK = {"approver": 1, "executive": 2, "chief_executive": 3}


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


# API calls that need no token: logging in, resetting a forgotten password, and the API's own description.
PUBLIC_API = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/auth/password-reset"),
              ("POST", "/api/v1/auth/password-reset/confirm"), ("GET", "/api/v1/openapi.json"),
              ("HEAD", "/api/v1/openapi.json")}


def public_api(fn):
    """Mark an API view as open to anyone without a token (joining the bank): the view itself decides."""
    fn.public_api = True
    return fn


def _is_public_api() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return (request.method, request.path) in PUBLIC_API or bool(getattr(view, "public_api", False))


def _declared_roles():
    """The roles the matched view was declared for (``api_auth``/``page_roles``), or None."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "allowed_roles", None)


def authenticate_api_first():
    """before_request: who is calling, and whether their roles may ever use the route, before
    any input is read (the body's schema, the CSRF token, the form).

    Every API call but the public ones needs a token: an anonymous caller gets
    401, never field errors. A caller holding none of the roles a route is
    declared for gets 403 whatever they sent, API or page (an anonymous
    visitor to a page is sent to log in). Which *objects* a permitted role may
    act on is decided later, by the view.
    """
    if request.method == "OPTIONS" or request.endpoint is None:
        return None
    roles = _declared_roles()
    if request.path.startswith("/api/"):
        if _is_public_api():
            return None
        user = authenticate_api()
    elif roles:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        user = current_user
    else:
        return None
    if roles and not user.has_role(*roles):
        raise Forbidden("Your role does not allow this.")
    return None


# A plain table UPDATE, not an ORM one: nothing in the session needs synchronising.
_TOUCH = (ApiToken.__table__.update().where(ApiToken.__table__.c.id == bindparam("token_id"))
          .values(last_used_at=bindparam("now")))


def record_token_use(session):
    """before_commit: the token's ``last_used_at`` goes in with the request's own commit.

    Deferred to the commit rather than set on the loaded row, so a request
    that is refused before it writes anything (a lost claim: 409) writes
    nothing at all and its transaction can end with a plain COMMIT
    (``bankapp.transactions``); a refused request keeps no trace of its token.
    """
    if not has_request_context():
        return
    token_id = g.pop("token_touch", None)
    if token_id is not None and request_succeeded():
        session.execute(_TOUCH, {"token_id": token_id, "now": now_utc()})


def init_token_touch():
    if not event.contains(db.session, "before_commit", record_token_use):
        event.listen(db.session, "before_commit", record_token_use)


def authenticate_api():
    """Set ``g.actor`` from the bearer token, or raise Unauthorized."""
    if getattr(g, "api_token", None) is not None:  # already checked in this request
        return g.actor
    row = find_live_token(bearer_token())
    if row is None:
        raise Unauthorized("Log in first: send a valid, unexpired bearer token.")
    # Touch at most once a minute to keep hot paths write-free.
    if row.last_used_at is None or (now_utc() - row.last_used_at).total_seconds() > 60:
        g.token_touch = row.id  # written by the request's commit (record_token_use)
    g.actor = row.user
    g.api_token = row
    return row.user


def api_auth(*roles):
    """Decorator for API views: bearer token required; any of ``roles`` if given."""

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            user = authenticate_api()
            if roles and not user.has_role(*roles):
                raise Forbidden("Your role does not allow this.")
            return fn(*args, **kwargs)

        wrapper.allowed_roles = roles  # kept by the decorators above (functools.wraps): see authenticate_api_first
        return wrapper

    return decorator


def page_roles(*roles):
    """Decorator for pages: logged in, and holding any of ``roles`` if given."""

    def decorator(fn):
        @wraps(fn)
        @login_required
        def wrapper(*args, **kwargs):
            if roles and not current_user.has_role(*roles):
                abort(403)
            g.actor = current_user._get_current_object()
            return fn(*args, **kwargs)

        wrapper.allowed_roles = roles
        return wrapper

    return decorator


def actor():
    """The acting user of this request (API token or page session)."""
    return getattr(g, "actor", None) or (current_user._get_current_object() if current_user.is_authenticated
                                         else None)


def sites_in_scope(user, *roles):
    """Site ids where ``user`` may act in any of ``roles``; None means every site.

    Returns an empty set when the user holds none of the roles.
    """
    held = [r for r in roles if user.has_role(r)] if roles else [r.role for r in user.roles]
    if not held:
        return set()
    if any(r in TRUST_WIDE_ROLES for r in held):
        return None
    if "doctor" in held and not any(r in SITE_SCOPED_ROLES for r in held):
        return set(user.site_ids) or None
    return set(user.site_ids)


def can_act_on_site(user, site_id, *roles) -> bool:
    scope = sites_in_scope(user, *roles)
    return scope is None or site_id in scope


def require_site(user, site_id, *roles):
    if not can_act_on_site(user, site_id, *roles):
        raise Forbidden("You do not act for this site.")


def holds_at_least(user, required_role: str) -> bool:
    """True when the user holds ``required_role`` or a more senior approval role."""
    need = APPROVAL_RANK[required_role]
    return any(APPROVAL_RANK.get(r.role, 0) >= need for r in user.roles)
