"""The transaction edge: where a request, a CLI command or a job commits or rolls back, once.

Services flush and never commit; views and API functions neither commit nor
roll back. The edge decides, in one place per kind of caller:

* **Requests** (``TransactionalFlask``): when the view has produced its
  response, a response under 400 commits. A 4xx/5xx response, or any
  exception, rolls back what the request wrote — unless it wrote nothing, in
  which case it commits too (see below). A view that must keep writes made
  on the way to an error (an attempt counter) calls ``keep_on_error()``. A
  failed COMMIT is handled like any other error (problem details); a failed
  ROLLBACK (the database went away) is logged and the connection discarded,
  so the error answer still goes out.
* **Pages that recover from a refused action** run the service inside
  ``attempt()`` (a SAVEPOINT): a domain error undoes the service's writes
  and the page can flash a message, redirect or show the form again.
* **CLI commands** that write are wrapped in ``@transactional``; **jobs** are
  committed by the job runner (``bankapp/jobrunner.py``), the SMS sender one
  message per transaction.

Why commit a transaction that wrote nothing rather than roll it back:
psycopg forgets every prepared statement of a connection on ROLLBACK (a
rolled-back transaction might have dropped what they refer to), so
PostgreSQL would plan every statement of every read request afresh. The
token join alone takes ~1 ms to plan and 0.1 ms to run; a COMMIT keeps the
plans (``bench/SCALE.md``). A statement is a write unless it is a SELECT: the
cursor-level hook sees every statement of the session's connection, ORM
flushes and Core DML alike, and marks the connection; COMMIT and ROLLBACK
clear the mark.
"""
import functools
import logging
from contextlib import contextmanager

from flask import Flask, g, has_app_context
from sqlalchemy import event

from .extensions import db

log = logging.getLogger(__name__)

WROTE = "bank_wrote"
_KEEP_ON_ERROR = "bank_keep_writes_on_error"
_SUCCEEDED = "bank_request_succeeded"


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
    if not session.in_transaction():
        return False
    transaction = session.get_transaction()
    if transaction is not None and not transaction.is_active:  # a flush failed: only a rollback will do
        return True
    return bool(session.connection().info.get(WROTE))


def _open_session():
    if not has_app_context() or not db.session.registry.has():
        return None
    session = db.session()
    return session if session.in_transaction() else None


def request_succeeded() -> bool:
    """While the edge commits: did the request answer without an error?"""
    return bool(g.get(_SUCCEEDED))


def keep_on_error():
    """Commit this request's writes even if it answers with an error (e.g. a counted failed attempt)."""
    g.setdefault(_KEEP_ON_ERROR, True)


@contextmanager
def attempt():
    """Run a service so that a domain error (or any exception) undoes its writes, and only its writes.

    For pages that answer a refused action themselves (flash and redirect, or
    the form again) instead of letting the error reach the error handlers.
    """
    with db.session.begin_nested():
        yield


def finish_request(response):
    """The request's view answered ``response``: commit, or roll back its writes if it is an error."""
    session = _open_session()
    if session is None:
        return
    setattr(g, _SUCCEEDED, response.status_code < 400)
    if response.status_code < 400 or g.get(_KEEP_ON_ERROR) or not wrote(session):
        session.commit()  # a failure here is answered like any other error
    else:
        session.rollback()


def abandon_request():
    """The request failed: keep nothing it wrote; never raise (the error answer must still go out)."""
    session = _open_session()
    if session is None:
        return
    try:
        if wrote(session) and not g.get(_KEEP_ON_ERROR):
            session.rollback()
        else:
            session.commit()
    except Exception:  # noqa: BLE001 - e.g. the connection died; the answer is made by the error handler
        log.warning("ending a failed request's transaction failed; discarding its connection", exc_info=True)
        try:
            session.rollback()
        except Exception:  # noqa: BLE001
            session.invalidate()


class TransactionalFlask(Flask):
    """Flask whose requests end their transaction at one edge (see the module docstring)."""

    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        finish_request(response)
        return response

    def handle_user_exception(self, e):
        abandon_request()
        return super().handle_user_exception(e)

    def handle_exception(self, e):
        abandon_request()
        return super().handle_exception(e)


def end_transaction(exc=None):
    """teardown_appcontext: whatever is still open (a before_request answered, a CLI or a shell) ends here."""
    session = _open_session()
    if session is None:
        return
    try:
        if exc is None and not wrote(session):
            session.commit()
            return
    except Exception:  # noqa: BLE001 - the session's own rollback follows at removal
        pass
    try:
        session.rollback()
    except Exception:  # noqa: BLE001
        session.invalidate()


def transactional(command):
    """For CLI commands (and scripts) that write: commit once when ``command`` returns, roll back if it raises."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            result = command(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return wrapper


def init_app(app):
    """Watch every statement of the app's engine; registered after db.init_app so it runs first at teardown."""
    with app.app_context():
        engine = db.engine
        if not event.contains(engine, "after_cursor_execute", _note_write):
            event.listen(engine, "after_cursor_execute", _note_write)
            event.listen(engine, "commit", _clear)
            event.listen(engine, "rollback", _clear)
    app.teardown_appcontext(end_transaction)
