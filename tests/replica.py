"""A stand-in for the reports' streaming replica on PostgreSQL: a read-only role on the test database.

``replica_url`` creates (idempotently) a login role named after the test
database with ``default_transaction_read_only = on`` and SELECT on every
table, the way a hot standby refuses writes (``bench/common.py``, which the
benchmarks use too); it is dropped at the end of the session. ``replica_app``
is the app with ``REPORTS_DATABASE_URL`` pointing at that role, so its report
pages and API read through it while everything else uses the primary, as in
production.
"""
import os

import pytest

import config
from bankapp import create_app
from bankapp.extensions import db, limiter
from bankapp.reports.db import reports_engine
from bench.common import create_read_only_role, drop_read_only_role


@pytest.fixture(scope="session")
def replica_url(app):
    """postgresql://<read-only role>@host/<test database>, for the session; skipped without PostgreSQL."""
    primary = os.environ.get("TEST_DATABASE_URL")
    if not primary:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (make test does)")
    yield create_read_only_role(primary)  # after the app fixture made the tables: SELECT on each of them
    drop_read_only_role(primary)


@pytest.fixture(scope="session")
def replica_app(replica_url):
    """The app as deployed with ``REPORTS_DATABASE_URL`` = the read-only role (Flask-Limiter state kept)."""
    from .conftest import IsolatedClient

    saved = dict(limiter.__dict__)
    cfg = type("ReplicaConfig", (config.TestConfig,),
               {"REPORTS_DATABASE_URL": config.normalise_db_url(replica_url)})
    app = create_app(cfg)
    app.test_client_class = IsolatedClient
    limiter.__dict__.update(saved)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        reports_engine().dispose()
