"""How a request's transaction ends: COMMIT when it wrote nothing, ROLLBACK otherwise.

Views commit what they change; whatever a request leaves open is ended here,
at app-context teardown (before Flask-SQLAlchemy removes the session):

- it wrote nothing (only SELECTs, including ``SELECT … FOR UPDATE``): COMMIT,
  which for a read-only transaction is the same as a rollback and releases
  the same locks;
- it wrote anything it did not commit, or the request failed with an
  exception: ROLLBACK, so nothing half-done is kept.

Why not always roll back: psycopg forgets every prepared statement of a
connection on ROLLBACK (a rolled-back transaction might have dropped what
they refer to), so PostgreSQL would plan every statement of every read
request afresh. The token join alone takes ~1 ms to plan and 0.1 ms to run;
a COMMIT keeps the plans (``bench/SCALE.md``).

A statement is a write unless it is a SELECT: the cursor-level hook sees
every statement of the session's connection, ORM flushes and Core DML
alike, and marks the connection; COMMIT and ROLLBACK clear the mark.
"""
from flask import has_app_context
from sqlalchemy import event

from .extensions import db

WROTE = "bank_wrote"


def _is_read(statement, context) -> bool:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return False
    return statement.lstrip()[:6].upper() == "SELECT"


def _note_write(conn, _cursor, statement, _parameters, context, _executemany):
    if not _is_read(statement, context):
        conn.info[WROTE] = True


def _clear(conn):
    conn.info.pop(WROTE, None)


def wrote(session) -> bool:
    """Did the session's open transaction send anything but SELECTs (or hold unflushed changes)?"""
    if session.new or session.dirty or session.deleted:
        return True
    return bool(session.in_transaction() and session.connection().info.get(WROTE))


def end_transaction(exc=None):
    """teardown_appcontext: commit a transaction that wrote nothing; leave the rest to the rollback."""
    if exc is not None or not has_app_context() or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or wrote(session):
        return
    try:
        session.commit()
    except Exception:  # noqa: BLE001 - the session's own rollback follows at removal
        session.rollback()


def init_app(app):
    """Watch every statement of the app's engine; registered after db.init_app so it runs first at teardown."""
    with app.app_context():
        engine = db.engine
        if not event.contains(engine, "after_cursor_execute", _note_write):
            event.listen(engine, "after_cursor_execute", _note_write)
            event.listen(engine, "commit", _clear)
            event.listen(engine, "rollback", _clear)
    app.teardown_appcontext(end_transaction)
