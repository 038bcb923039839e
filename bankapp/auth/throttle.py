"""Login throttling, per account and per IP address (Flask-Limiter).

Only failed attempts count against the per-account limit, so a doctor who
logs in successfully is never locked out by someone else's typing.
"""
from flask import current_app, request
from flask_limiter.util import get_remote_address

from ..extensions import limiter


def _account_key():
    email = (request.form.get("email") or (request.get_json(silent=True) or {}).get("email") or "")
    return "login-account:" + str(email).strip().lower()


def _failed(response):
    return response.status_code == 401


def throttled_login(view):
    view = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key,
                         methods=["POST"], deduct_when=_failed)(view)
    view = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], key_func=get_remote_address,
                         methods=["POST"], deduct_when=_failed)(view)
    return view
