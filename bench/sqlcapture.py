"""Time a page or API call through HTTP, and the bare SQL it runs straight through psycopg.

``captured`` runs one request in-process (the Flask test client against the
bench database) and records every statement with its parameters as sent to
the driver. ``bare_ms`` executes chosen statements again on a plain psycopg
connection and returns the median time of the set. So "ratio to bare SQL" is
HTTP time / time of the same SQL without the app around it.
"""
import http.client
import re
import statistics
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

from sqlalchemy import event

from . import common

# Statements that authenticate the caller rather than answer the question.
AUTH_TABLES = re.compile(r"\b(api_tokens|user_roles|user_sites|doctor_profiles)\b|^SELECT users\.", re.I)


@contextmanager
def recording(*engines):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    for engine in engines:
        event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", before)


def captured(app, path, headers) -> tuple[int, list]:
    """(status, [(statement, parameters)]) of one in-process GET of ``path``, on the primary and the reports
    engine (``REPORTS_DATABASE_URL``; when unset, the primary's engine, whose statements are recorded once)."""
    from bankapp.extensions import db
    from bankapp.reports.db import reports_engine

    client = app.test_client()
    with app.app_context():
        engines = [db.engine]
        if reports_engine().pool is not db.engine.pool:
            engines.append(reports_engine())
    with recording(*engines) as statements:
        response = client.get(path, headers=headers)
    return response.status_code, statements


def bare_ms(url, statements, *, repeat=20) -> float:
    """Median ms of running ``statements`` one after another on a plain psycopg connection.

    Each round is one transaction ended with COMMIT, as the app ends a read
    (``bankapp/transactions.py``), so the bare SQL keeps its prepared plans
    too and is measured at its best.
    """
    with common.connect(url) as conn:
        times = []
        for _ in range(repeat + 3):
            started = time.perf_counter()
            for sql, params in statements:
                cursor = conn.execute(sql, params)
                if cursor.description is not None:  # a SET LOCAL returns no rows
                    cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
            conn.commit()  # not rollback: psycopg forgets its prepared statements on ROLLBACK, as the app would
    return statistics.median(times[3:])


def timed_gets(base_url, path, headers, *, repeat=30, warmup=2, budget=20.0) -> list[float]:
    """Seconds per GET over one keep-alive connection (after ``warmup`` untimed requests).

    Stops early, after at least 3 timed requests, once ``budget`` seconds are spent, so that a slow page
    cannot hold the whole benchmark up.
    """
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    out = []
    deadline = time.monotonic() + budget
    try:
        for i in range(repeat + warmup):
            if len(out) >= 3 and time.monotonic() > deadline:
                break
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}")
            if i >= warmup:
                out.append(time.perf_counter() - started)
    finally:
        conn.close()
    return out


def login_cookie(base_url, email, password) -> str:
    """Log in through the real form (CSRF token included) and return the session cookie header."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = _cookie(response)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        from urllib.parse import urlencode

        body = urlencode({"email": email, "password": password, "csrf_token": token})
        conn.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                           "Cookie": cookie})
        response = conn.getresponse()
        response.read()
        if response.status != 302:
            raise RuntimeError(f"login as {email} answered {response.status}")
        return _cookie(response) or cookie
    finally:
        conn.close()


def _cookie(response) -> str:
    cookies = [h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]
    return "; ".join(cookies)


def failed_logins_across(base_urls, email, attempts=6) -> list[int]:
    """Wrong-password logins for one account, alternating between servers and between the login form and
    ``POST /api/v1/auth/token``; the HTTP status of each.

    The CSRF token and session cookie come from the first server and are sent to all of them (signed
    cookies, one SECRET_KEY). With the rate-limit counters in Redis, and one counter per account for the
    form and the API together, the last attempt is refused (429) though no server, and neither way of
    logging in, saw more than half of them.
    """
    import json
    from urllib.parse import urlencode

    first = urlsplit(base_urls[0])
    conn = http.client.HTTPConnection(first.hostname, first.port, timeout=60)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = _cookie(response)
    conn.close()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urlencode({"email": email, "password": "not-the-password", "csrf_token": token})
    api = json.dumps({"email": email, "password": "not-the-password"})
    statuses = []
    for i in range(attempts):
        parts = urlsplit(base_urls[i % len(base_urls)])
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        if i % 2 == 0:
            conn.request("POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                               "Cookie": cookie})
        else:
            conn.request("POST", "/api/v1/auth/token", body=api, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
        conn.close()
    return statuses
