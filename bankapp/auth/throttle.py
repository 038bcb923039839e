"""Login throttling, per account and per client address (Flask-Limiter).

Only failed attempts count, so a doctor who logs in successfully is never
locked out by someone else's typing. Each limit is one *shared* counter for
every way of logging in (the form at ``/login`` and ``POST /api/v1/auth/token``):
five wrong passwords are five, whichever mix of the two they came through.
With several app servers the counters live in Redis
(``RATELIMIT_STORAGE_URI``), so the servers count together too.

The per-address limit counts the client's address: ``request.remote_addr``,
which is the load balancer's own address unless ``TRUSTED_PROXY_COUNT`` is
set, and then the client's address from ``X-Forwarded-For`` (ProxyFix, see
``create_app``). Without trusted proxies the header is ignored, so a client
cannot pick a new address per attempt.

Password resets (``reset.py``) are limited the same way, in counters of their
own (``throttled_reset``).
"""
from flask import current_app, request
from flask_limiter.util import get_remote_address

from ..extensions import limiter

ACCOUNT_SCOPE = "login-account"
ADDRESS_SCOPE = "login-address"
RESET_ACCOUNT_SCOPE = "reset-account"
RESET_ADDRESS_SCOPE = "reset-address"


def posted_text(field: str) -> str:
    """A text field of the request, from the form or a JSON object (already checked by request_limits)."""
    value = request.form.get(field)
    if value is None and request.is_json:
        body = request.get_json(silent=True)
        value = body.get(field) if isinstance(body, dict) else None
    return value if isinstance(value, str) else ""


def _posted_email() -> str:
    """The email of a login attempt."""
    return posted_text("email")


def _account_key():
    return "login-account:" + _posted_email().strip().lower()


def _reset_account_key():
    return "reset-account:" + _posted_email().strip().lower()


def _failed(response):
    return response.status_code == 401


def throttled_login(view):
    view = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], ACCOUNT_SCOPE,
                                key_func=_account_key, methods=["POST"], deduct_when=_failed)(view)
    view = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], ADDRESS_SCOPE,
                                key_func=get_remote_address, methods=["POST"], deduct_when=_failed)(view)
    return view


def throttled_reset(*, count_every_request: bool):
    """A password reset, limited like logins: per account (the posted email) and per client address, the
    page and the API in one counter each. Asking for a code counts every request (``count_every_request``);
    using one counts the failures."""
    deduct = None if count_every_request else (lambda response: response.status_code >= 400)

    def decorator(view):
        view = limiter.shared_limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"],
                                    RESET_ACCOUNT_SCOPE, key_func=_reset_account_key, methods=["POST"],
                                    deduct_when=deduct)(view)
        view = limiter.shared_limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_IP"], RESET_ADDRESS_SCOPE,
                                    key_func=get_remote_address, methods=["POST"], deduct_when=deduct)(view)
        return view

    return decorator
