"""One-time links to set a password: a new doctor's first, texted when their application is approved.

The link carries a random token; only its SHA-256 is stored. It works once,
for ``PASSWORD_LINK_HOURS`` (72), and the password is set only through
``auth.services.set_password`` (the password rules, sessions ended, tokens
revoked). A used, expired or unknown link gets the same answer.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app

from ..audit.services import record_audit
from ..auth.services import hash_password, set_password
from ..errors import NotFound
from ..extensions import db
from ..notifications.services import public_url
from ..timeutil import now_utc
from .models import PasswordLink

LINK_GONE = "This link has expired or has already been used. Ask the staffing team for a new one."


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unusable_password_hash() -> str:
    """A password nobody knows, for an account whose owner sets theirs through a link."""
    return hash_password(secrets.token_urlsafe(32))


def issue_link(user) -> str:
    """A new link for ``user``; returns its URL (the token is not kept)."""
    token = secrets.token_urlsafe(32)
    hours = current_app.config["PASSWORD_LINK_HOURS"]
    link = PasswordLink(user_id=user.id, token_hash=_hash(token), expires_at=now_utc() + timedelta(hours=hours))
    db.session.add(link)
    db.session.flush()
    record_audit("password_link.issued", "user", user.id, actor=None, after={"link_id": link.id, "hours": hours})
    return public_url(f"/welcome/{token}")


def live_link(token: str) -> PasswordLink:
    """The unused, unexpired link for ``token``, or NotFound with ``LINK_GONE``."""
    link = db.session.execute(db.select(PasswordLink).filter_by(token_hash=_hash(token or ""))).scalar_one_or_none()
    if link is None or link.used_at is not None or link.expires_at <= now_utc() or not link.user.active:
        raise NotFound(LINK_GONE)
    return link


def use_link(token: str, password: str):
    """Set the password through the link (which then stops working); returns the user."""
    link = live_link(token)
    set_password(link.user, password, actor=link.user)
    link.used_at = now_utc()
    db.session.flush()
    record_audit("password_link.used", "user", link.user_id, actor=link.user, after={"link_id": link.id})
    return link.user
