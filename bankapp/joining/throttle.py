"""Limits on the public joining form and API (Flask-Limiter), per client address and per mobile number.

Like the login limits (``auth/throttle.py``) each limit is one shared counter
for the page and the API together, kept in ``RATELIMIT_STORAGE_URI`` (Redis
with several servers) and keyed by the client's address as the trusted proxies
report it. Every attempt counts, accepted or not: applying and asking for a
new code send texts, so both are limited per mobile number too; confirming a
code is limited per address (each code also allows only a few tries).
"""
from flask import current_app, request
from flask_limiter.util import get_remote_address

from ..auth.throttle import posted_text
from ..extensions import db, limiter
from ..notifications.rules import normalise_mobile
from .models import Application

ADDRESS_SCOPE = "joining-address"
MOBILE_SCOPE = "joining-mobile"


def _application_mobile() -> str:
    """The mobile of the application the URL names (by id or status token), for asking a new code."""
    args = request.view_args or {}
    if "application_id" in args:
        app_row = db.session.get(Application, args["application_id"])
    elif "token" in args:
        app_row = db.session.execute(db.select(Application).filter_by(token=args["token"])).scalar_one_or_none()
    else:
        app_row = None
    return app_row.mobile if app_row is not None else ""


def _mobile_key():
    text = posted_text("mobile") or _application_mobile()
    try:
        number = normalise_mobile(text) or text
    except ValueError:
        number = text
    return "joining-mobile:" + (number or "").strip()


def limited_per_address(view):
    return limiter.shared_limit(lambda: current_app.config["APPLICATION_LIMIT_PER_IP"], ADDRESS_SCOPE,
                                key_func=get_remote_address, methods=["POST"])(view)


def limited_per_address_and_mobile(view):
    view = limiter.shared_limit(lambda: current_app.config["APPLICATION_LIMIT_PER_MOBILE"], MOBILE_SCOPE,
                                key_func=_mobile_key, methods=["POST"])(view)
    return limited_per_address(view)
