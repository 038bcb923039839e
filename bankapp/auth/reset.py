"""Getting back in: a forgotten password reset by a 6-digit code texted to the account's mobile.

* Asking (``request_reset``) answers the same whatever the email: whether an
  account exists is never told. For an active account with a mobile that has
  not said STOP, a new code replaces any open one and goes out through the
  outbox at once (no quiet hours: the person is waiting for it).
* A code is good for ``CODE_MINUTES`` (10) and ``MAX_TRIES`` (5) tries, and
  only its HMAC (keyed by ``SECRET_KEY``, salted with the user) is stored.
* Using it (``confirm_reset``): every failure — no such account, no open code,
  a wrong, expired or used-up code — is the one ``WRONG_CODE`` message. A try
  is counted by a conditional UPDATE, so racing requests cannot get a sixth;
  the caller keeps that count even though it answers an error
  (``transactions.keep_on_error``). The password itself is set only through
  ``services.set_password``: the password rules, every session ended, every
  API token revoked.

Both are rate-limited per account and per client address (``throttle.py``).
"""
import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from flask import current_app

from ..audit.services import record_audit
from ..errors import ValidationFailed
from ..extensions import db
from ..notifications import texts
from ..notifications.services import enqueue_requested
from ..timeutil import now_utc
from .models import PasswordReset
from .rules import password_problems
from .services import find_user_by_email, normalise_email, set_password

log = logging.getLogger(__name__)

CODE_MINUTES = 10
MAX_TRIES = 5
ASKED = (f"If an account uses this email and has a mobile number, a 6-digit code is on its way to it by text. "
         f"It works for {CODE_MINUTES} minutes.")
WRONG_CODE = "This code is not right, or it has expired. Ask for a new code and try again."


def _code_hash(user_id: int, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"password-reset:{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _close_open_resets(user_id, now) -> None:
    db.session.execute(db.update(PasswordReset).where(PasswordReset.user_id == user_id,
                                                      PasswordReset.closed_at.is_(None)).values(closed_at=now))


def request_reset(email: str) -> None:
    """Text a new code to the account with this email, if there is one that can be texted; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active or not user.mobile:
        log.info("password reset asked for an email with no textable account")
        return
    now = now_utc()
    code = f"{secrets.randbelow(10**6):06d}"
    _close_open_resets(user.id, now)
    reset = PasswordReset(user_id=user.id, code_hash=_code_hash(user.id, code), created_at=now,
                          expires_at=now + timedelta(minutes=CODE_MINUTES), attempts=0)
    db.session.add(reset)
    db.session.flush()
    sent = enqueue_requested(user, kind="password_reset", body=texts.password_reset(code=code, minutes=CODE_MINUTES))
    record_audit("user.password_reset_requested", "user", user.id, actor=None, after={"texted": sent is not None})


def _take_a_try(user_id, now) -> PasswordReset | None:
    """The user's open reset with one more try counted, or None when there is none left to try."""
    reset = db.session.execute(db.select(PasswordReset).where(
        PasswordReset.user_id == user_id, PasswordReset.closed_at.is_(None), PasswordReset.expires_at > now)
        .order_by(PasswordReset.id.desc()).limit(1)).scalar_one_or_none()
    if reset is None:
        return None
    counted = db.session.execute(db.update(PasswordReset).where(
        PasswordReset.id == reset.id, PasswordReset.closed_at.is_(None), PasswordReset.attempts < MAX_TRIES)
        .values(attempts=PasswordReset.attempts + 1).execution_options(synchronize_session=False)).rowcount
    return reset if counted else None


def confirm_reset(email: str, code: str, new_password: str):
    """Set a new password with the texted code; returns the user. Any failure of the code is ``WRONG_CODE``.

    A new password that breaks the rules is refused first (``new_password``), without spending a try.
    """
    problems = password_problems(new_password, email=normalise_email(email))  # the same for any email
    if problems:
        raise ValidationFailed("Choose another password.", errors={"new_password": problems})
    user = find_user_by_email(email)
    now = now_utc()
    reset = _take_a_try(user.id, now) if user is not None and user.active else None
    if reset is None or not hmac.compare_digest(reset.code_hash, _code_hash(user.id, (code or "").strip())):
        raise ValidationFailed(WRONG_CODE, errors={"code": [WRONG_CODE]})
    _close_open_resets(user.id, now)
    set_password(user, new_password, actor=user)
    record_audit("user.password_reset", "user", user.id, actor=user)
    return user
