"""Where reports read from: ``reports_session()``, the one entry point for report code.

Every report query, page, chart and CSV (breaches, fill rates, the weekly
agency return, and any report added later) reads through
``reports_session()`` instead of ``db.session``::

    from bankapp.reports.db import reports_session

    rows = reports_session().execute(select(...)).all()

It is a plain SQLAlchemy session over the same models, bound to the
reports engine: a second engine on ``REPORTS_DATABASE_URL`` (a streaming
replica; its own connection pool) when set, otherwise the primary's engine.
Nothing that writes uses it:

- on PostgreSQL every transaction it begins is ``READ ONLY``
  (SQLAlchemy's ``postgresql_readonly``), so a report cannot write even
  when it reads from the primary, and a replica refuses writes anyway;
- on every database the session itself refuses to flush changes or run an
  INSERT, UPDATE or DELETE (``ReportsAreReadOnly``).

A replica may be a few seconds behind the primary, so report code reads
through this session only what may lag: never what a decision is taken on
(a claim, an approval, a doctor's own shifts), which stays on ``db.session``.

The session lives for one request (or app context, for jobs and commands)
and ends at its teardown (``end_reports_session``).
"""
from flask import current_app, has_app_context
from flask.globals import app_ctx
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, scoped_session

from ..extensions import db

EXTENSION = "bank_reports_engine"


class ReportsAreReadOnly(RuntimeError):
    """Something tried to write through the reports session."""


class ReportsSession(Session):
    """A session over the reports engine that refuses to write."""


@event.listens_for(ReportsSession, "before_flush")
def _refuse_flush(session, _context, _instances):
    if session.new or session.dirty or session.deleted:
        raise ReportsAreReadOnly("reports read only: write through db.session, never the reports session")


@event.listens_for(ReportsSession, "do_orm_execute")
def _refuse_dml(state):
    if state.is_insert or state.is_update or state.is_delete:
        raise ReportsAreReadOnly("reports read only: write through db.session, never the reports session")


def _engine_for(app):
    """The engine reports read from: its own on ``REPORTS_DATABASE_URL``, else the primary's."""
    url = app.config.get("REPORTS_DATABASE_URL")
    if url:
        engine = create_engine(url, pool_pre_ping=True)
    else:
        with app.app_context():
            engine = db.engine
    if engine.dialect.name == "postgresql":
        # Every transaction on it starts BEGIN READ ONLY (reset when the connection goes back to the pool).
        return engine.execution_options(postgresql_readonly=True)
    return engine


def reports_engine():
    """This app's reports engine (chosen once, when the app is made)."""
    return current_app.extensions[EXTENSION]


def _new_session():
    return ReportsSession(bind=reports_engine(), autoflush=False, expire_on_commit=False)


def _app_ctx_id() -> int:
    return id(app_ctx._get_current_object())


_sessions = scoped_session(_new_session, scopefunc=_app_ctx_id)


def reports_session() -> Session:
    """This request's (or app context's) read-only session for reports."""
    return _sessions()


def end_reports_session(exc=None):
    """Teardown: end the read-only transaction and give the connection back.

    On PostgreSQL it is committed when nothing failed: for a read-only transaction the same as a
    rollback, but psycopg keeps the connection's prepared statements. Elsewhere it is rolled back:
    an in-memory SQLite database is one connection shared with ``db.session``, whose unfinished
    writes a COMMIT here would make permanent.
    """
    if not has_app_context() or not _sessions.registry.has():
        return
    session = _sessions()
    try:
        if exc is None and session.in_transaction() and reports_engine().dialect.name == "postgresql":
            session.commit()
    except Exception:  # noqa: BLE001 - remove() below rolls back and closes
        pass
    finally:
        _sessions.remove()


def init_app(app):
    """Choose the reports engine; end the session after every request and app context (jobs, commands)."""
    app.extensions[EXTENSION] = _engine_for(app)
    app.teardown_request(end_reports_session)
    app.teardown_appcontext(end_reports_session)
