"""A stand-in for the reports' streaming replica on PostgreSQL: a read-only role on the test database.

``replica_url`` creates (idempotently) a login role named after the test
database with ``default_transaction_read_only = on`` and SELECT on every
table, the way a hot standby refuses writes; it is dropped at the end of the
session. ``replica_app`` is the app with ``REPORTS_DATABASE_URL`` pointing at
that role, so its report pages and API read through it
while everything else uses the primary, as in production.

Roles belong to the whole PostgreSQL cluster, so the name carries the
database's: parallel test runs on other databases never share one.
"""
import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

import config
from bankapp import create_app
from bankapp.extensions import db, limiter
from bankapp.reports.db import reports_engine


def _plain(url) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _role_for(database: str) -> str:
    return f"{database}_reports_ro"[:63]


def _create_role(conn, role):
    ident = sql.Identifier(role)
    conn.execute(sql.SQL("DO $$ BEGIN CREATE ROLE {} LOGIN; "
                         "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$").format(ident))
    conn.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(ident))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident))
    conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(ident))


def _drop_role(conn, role):
    ident = sql.Identifier(role)
    conn.execute(sql.SQL("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s"), (role,))
    conn.execute(sql.SQL("DROP OWNED BY {}").format(ident))  # its grants in this database
    conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(ident))


@pytest.fixture(scope="session")
def replica_url(app):
    """postgresql://<read-only role>@host/<test database>, for the session; skipped without PostgreSQL."""
    primary = os.environ.get("TEST_DATABASE_URL")
    if not primary:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (make test does)")
    parts = urlsplit(_plain(primary))
    role = _role_for(parts.path.lstrip("/"))
    with psycopg.connect(_plain(primary), autocommit=True) as conn:
        _create_role(conn, role)  # after the app fixture made the tables: SELECT on each of them
    yield urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}"))
    with psycopg.connect(_plain(primary), autocommit=True) as conn:
        _drop_role(conn, role)


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
