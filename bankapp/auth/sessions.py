"""Login sessions the server can end.

Sessions are Flask's signed cookies, so any app server can read them and
none keeps them. Each carries the user's ``session_version`` at login; every
request compares it with the user's row (which Flask-Login loads anyway, see
``views.load_user``). Raising the number therefore ends every session of
that person at once, on every server, a cookie copied off a ward PC
included. It is raised when they log out, when their password is changed or
reset (which also revokes their API tokens), when they are deactivated or
anonymised, and when a role is taken away from them.
"""
from flask import session
from flask_login import login_user

from ..extensions import db

SESSION_KEY = "session_version"


def start_session(user) -> None:
    """A fresh session for ``user`` (nothing kept from before), stamped with their current version."""
    session.clear()
    login_user(user)
    session[SESSION_KEY] = user.session_version


def session_is_current(user) -> bool:
    return session.get(SESSION_KEY) == user.session_version


def end_sessions(user) -> None:
    """Every login session of ``user`` stops working (flushed; the caller commits)."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()
