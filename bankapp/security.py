"""Web security for every response: headers, cookies, and HTTPS behaviour.

Called once from create_app. Security headers come from flask-talisman:

- a Content Security Policy that lets pages load only our own static files
  (no inline script or style anywhere: see templates/base.html), no framing,
  forms posting only to us;
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and
  ``Referrer-Policy: strict-origin-when-cross-origin``;
- HSTS only when the app is configured for HTTPS (``HTTPS=true``) *and* the
  request came over HTTPS, so a developer on http://127.0.0.1 is never
  pinned to HTTPS by accident.

Cookies are HttpOnly and SameSite=Lax always, Secure when ``HTTPS`` is on.
Pages and API answers carry ``Cache-Control: no-store`` unless a view set
its own: they hold personal data and wards share computers.

Login throttling lives in auth/throttle.py (Flask-Limiter, bound in
create_app); its storage is ``RATELIMIT_STORAGE_URI`` (Redis when several
servers run).
"""
import logging
import os

from flask_talisman import Talisman
from werkzeug.routing import IntegerConverter

from .extensions import api

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
}
PERMISSIONS_POLICY = {"camera": "()", "microphone": "()", "geolocation": "()", "payment": "()"}
HSTS_MAX_AGE = 365 * 24 * 3600
# The largest id a database INTEGER column holds (PostgreSQL int4).
DB_INT_MAX = 2**31 - 1


def _flag(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def https_enabled(app) -> bool:
    """True when the app is served over HTTPS (production): config ``HTTPS`` or env ``HTTPS``."""
    if "HTTPS" in app.config:
        return _flag(app.config["HTTPS"])
    return _flag(os.environ.get("HTTPS", "false"))


def init_app(app):
    https = https_enabled(app)
    app.config["HTTPS"] = https
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    if https:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    # One Talisman per app: it keeps its settings on itself, and tests build apps with other settings.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=_flag(app.config.get("FORCE_HTTPS", False)),
        strict_transport_security=https,
        strict_transport_security_max_age=HSTS_MAX_AGE,
        strict_transport_security_include_subdomains=False,
        session_cookie_secure=https,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy=PERMISSIONS_POLICY,
        x_content_type_options=True,
    )
    app.after_request(_no_store)
    _bound_url_ids(app)
    if not https and not app.debug and not app.testing:
        log.info("HTTPS is off: cookies are not marked Secure and HSTS is not sent (set HTTPS=true in production)")


def _no_store(response):
    """Personal data must not linger in shared caches or a ward PC's history."""
    from flask import request

    if request.endpoint != "static" and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` in URLs, capped at the largest id the database can hold.

    A larger number is simply not found (404) instead of reaching the
    database driver, which cannot bind it (OverflowError on SQLite, a
    DataError on PostgreSQL). Must be in place before blueprints register.
    """

    def __init__(self, url_map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _bound_url_ids(app):
    from flask_smorest.spec.plugins import integerconverter2paramschema


    app.url_map.converters["int"] = DatabaseIntConverter
    api.register_converter(DatabaseIntConverter, integerconverter2paramschema)
