"""Shared fixtures: a pinned clock, an app on SQLite (or PostgreSQL when
TEST_DATABASE_URL is set), a clean database per test, API clients with tokens,
and a guard that fails any test reaching the real Twilio API.

The clock: every test runs with Python's clock pinned (time-machine, ticking)
from ``DEFAULT_NOW``, or from the instant its ``@pytest.mark.clock("…")``
names, before any other fixture runs, so logins, tokens and data all share one
clock and no test depends on today's date. A test moves it with the ``clock``
fixture (``clock.move_to(…)``, ``clock.shift(…)``) or a nested
``time_machine.travel``. Unmarked tests start ``DEFAULT_NOW`` plus the real
seconds the session has run, so the default clock never goes back between
tests (a session cookie signed in one test stays valid in the next).
"""
import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import limits.storage.memory as limits_memory
import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import text

from bankapp import create_app
from bankapp.audit.guard import MAINTENANCE_SETTING
from bankapp.extensions import db
from bankapp.timeutil import parse_datetime

from .factories import ApiClient, Factory
from .replica import replica_app, replica_url  # noqa: F401  (fixtures: the reports' read-only replica)


class _DaemonTimers:
    """``threading`` for the ``limits`` in-memory store, whose expiry timers become daemon threads.

    Each app the suite creates starts one; left non-daemon, the interpreter waits for them at exit,
    and under ``make test-clock`` (libfaketime moves the monotonic clock too) that wait never ends.
    """

    class Timer(threading.Timer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.daemon = True

    def __getattr__(self, name):
        return getattr(threading, name)


limits_memory.threading = _DaemonTimers()


# A Wednesday, 10:00 in London (GMT): outside quiet hours, no clock change or bank holiday near.
DEFAULT_NOW = "2026-11-25T10:00:00+00:00"
_SESSION_STARTED = time.monotonic()


def pytest_configure(config):
    config.addinivalue_line("markers", "clock(when): start the test's clock at this instant (ISO 8601; "
                                       "London wall-clock time without an offset)")


@pytest.fixture(autouse=True)
def clock(request):
    """The test's clock, pinned for the whole test (login included) and ticking from there."""
    marker = request.node.get_closest_marker("clock")
    if marker:
        start = parse_datetime(marker.args[0])
    else:
        start = parse_datetime(DEFAULT_NOW) + timedelta(seconds=int(time.monotonic() - _SESSION_STARTED))
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


class IsolatedClient(FlaskClient):
    """A test client whose requests never see ``flask.g`` left by an earlier one.

    Tests run inside one app context, which each request reuses; Flask-Login
    caches the user in ``g`` and the API keeps the actor there, so without
    this a request by one client could be judged as another client's user.
    """

    def open(self, *args, **kwargs):
        from flask import g, has_app_context

        if has_app_context():
            for name in list(vars(g)):
                g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    app = create_app("config.TestConfig")
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if os.environ.get("TEST_DATABASE_URL"):
            db.drop_all()


def _clean(app):
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        Path(app.config["AUDIT_ANCHOR_PATH"]).unlink(missing_ok=True)
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                # DELETE of a few rows is far cheaper than TRUNCATE of every table
                # (which rewrites files); ids are not reset, so tests never assume them.
                # The audit trail's guard is lifted for this transaction only (bankapp/audit/guard.py).
                conn.execute(text(f"SET LOCAL {MAINTENANCE_SETTING} = 'on'"))
                for t in tables:
                    conn.execute(text(f'DELETE FROM "{t}"'))
            else:
                conn.execute(text("PRAGMA foreign_keys=OFF"))
                for t in tables:
                    conn.execute(text(f'DELETE FROM "{t}"'))
                conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(conn) else None
                conn.execute(text("PRAGMA foreign_keys=ON"))


def _has_sqlite_sequence(conn):
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() is not None


@pytest.fixture(autouse=True)
def _db(app):
    """Every test starts with empty tables and an app context."""
    _clean(app)
    ctx = app.app_context()
    ctx.push()
    yield db
    db.session.rollback()
    db.session.remove()
    ctx.pop()


@pytest.fixture(autouse=True)
def _no_real_twilio(monkeypatch):
    """Any request through twilio's real HTTP client fails the test."""
    from twilio.http.http_client import TwilioHttpClient

    def refuse(*args, **kwargs):
        pytest.fail("a test tried to reach the real Twilio API; give the client a fake http_client")

    monkeypatch.setattr(TwilioHttpClient, "request", refuse)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory(app):
    return Factory()


@pytest.fixture
def world(factory):
    """A small merged trust: two sites, grades, and one person per role."""
    return factory.world()


@pytest.fixture
def trust(world):
    """The small merged trust with the test rate card in force (timesheets and payroll price against it).

    Modules with a scene of their own define their own ``trust``.
    """
    from .timesheets.helpers import make_card

    make_card(world)
    db.session.commit()
    return world


@pytest.fixture
def api(client):
    """``api(user)`` → an ApiClient holding a bearer token for that user."""

    def make(user):
        return ApiClient.for_user(client, user)

    return make


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL")
    return f"database: {'PostgreSQL (' + url + ')' if url else 'SQLite (in memory)'}"


def is_postgres():
    return db.engine.dialect.name == "postgresql"


requires_postgres = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                       reason="needs PostgreSQL: set TEST_DATABASE_URL (make test does)")
