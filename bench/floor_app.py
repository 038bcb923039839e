"""The floor: the least a claim can cost on the same gunicorn + psycopg stack.

One conditional ``UPDATE shifts SET status='booked' WHERE id=%s AND
status='open' RETURNING id`` per ``POST /claim/<shift id>`` (201 when it took
the shift, 409 when it was gone), one psycopg connection per worker thread,
autocommit. No framework, no auth, no ORM: what is left is the HTTP server,
one round trip to PostgreSQL and the row lock.

    gunicorn bench.floor_app:app   (FLOOR_DATABASE_URL or DATABASE_URL)
"""
import os
import threading

import psycopg

_local = threading.local()
CLAIM = "UPDATE shifts SET status = 'booked' WHERE id = %s AND status = 'open' RETURNING id"


def _url():
    url = os.environ.get("FLOOR_DATABASE_URL") or os.environ["DATABASE_URL"]
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _conn():
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(_url(), autocommit=True)
    return conn


def _reply(start_response, status, body):
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def app(environ, start_response):
    parts = environ.get("PATH_INFO", "").strip("/").split("/")
    if environ["REQUEST_METHOD"] != "POST" or len(parts) != 2 or parts[0] != "claim" or not parts[1].isdigit():
        return _reply(start_response, "404 Not Found", b'{"status": 404}')
    row = _conn().execute(CLAIM, (int(parts[1]),)).fetchone()
    if row is None:
        return _reply(start_response, "409 Conflict", b'{"status": 409}')
    return _reply(start_response, "201 Created", b'{"id": %d}' % row[0])
