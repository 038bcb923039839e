"""The shift board with eligibility, at merged-trust scale: a doctor with 40 bookings among the open shifts ahead.

Every shift the doctor sees carries what a claim would answer now (``bankapp/shifts/eligibility.py``: the
claim's own checks against their bookings and documents). Measured through gunicorn, p50/p95 per request:

* ``GET /api/v1/shifts?eligible=true&limit=50`` — only the shifts they can claim, 50 a page;
* ``GET /api/v1/shifts?status=open&limit=50`` — every open shift, each with ``can_claim`` and ``reasons``;
* the ``/shifts`` page (Shifts I can take, 25 a page) and ``/shifts?show=all``.

For each: the statements of one request, the same with a page of 5 (they must be equal: a constant number
per page), and the bare SQL of the same reads — every statement of the request but authentication, run
again straight through psycopg — with the ratio HTTP / bare SQL (target ≤ 3×).

The doctor's 40 bookings (day shifts, five on and two off, from tomorrow: a rota the working-time rules
allow) are written before and removed after with their shifts, so the year's data is left as it was.
Alone: ``.venv/bin/python -m bench.eligible_board [--database-url URL]``; also part of ``make bench``
(bench/run.py).
"""
import argparse
import logging
import os
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from . import board, common, servers, sqlcapture

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")
BOOKINGS = 40
PATHS = {
    "API, only what they can claim (?eligible=true, 50 a page)": ("/api/v1/shifts?eligible=true&limit={n}", 50),
    "API, every open shift with can_claim and reasons (50 a page)": ("/api/v1/shifts?status=open&limit={n}", 50),
    "page /shifts, Shifts I can take (25 a page)": ("/shifts", None),
    "page /shifts?show=all, with why not (25 a page)": ("/shifts?show=all", None),
}


def book_doctor(conn, doctor_id, count=BOOKINGS) -> list[int]:
    """Book the doctor on ``count`` day shifts (08:00-18:00 London) in a rota they may really work — five days
    on, two off, from tomorrow — at the first site, written straight into the tables as the year's generator
    does; returns the new shift ids, for ``unbook``."""
    site_id, department_id, grade_id = conn.execute(
        "SELECT site_id, department_id, grade_id FROM shifts WHERE status = 'open' ORDER BY id LIMIT 1").fetchone()
    day = datetime.now(LONDON).date() + timedelta(days=1)
    created = []
    while len(created) < count:
        if day.weekday() < 5:
            start = datetime.combine(day, time(8), tzinfo=LONDON)
            shift_id = conn.execute(
                "INSERT INTO shifts (site_id, department_id, grade_id, start_at, end_at, status, retrospective, "
                "posted_by_id, created_at, updated_at, opened_at) VALUES (%s, %s, %s, %s, %s, 'booked', false, %s, "
                "now(), now(), now()) RETURNING id",
                (site_id, department_id, grade_id, start, start + timedelta(hours=10), doctor_id)).fetchone()[0]
            conn.execute("INSERT INTO bookings (shift_id, doctor_id, source, status, booked_by_id, created_at) "
                         "VALUES (%s, %s, 'bank', 'booked', %s, now())", (shift_id, doctor_id, doctor_id))
            created.append(shift_id)
        day += timedelta(days=1)
    conn.commit()
    return created


def unbook(conn, doctor_id, shift_ids) -> None:
    conn.execute("DELETE FROM bookings WHERE doctor_id = %s AND shift_id = ANY(%s)", (doctor_id, shift_ids))
    conn.execute("DELETE FROM shifts WHERE id = ANY(%s)", (shift_ids,))
    conn.commit()


def _reads(statements):
    """The request's own reads: not authentication, not the token's last-used touch."""
    return [(sql, params) for sql, params in statements
            if sql.lstrip().upper().startswith("SELECT") and not sqlcapture.AUTH_TABLES.search(sql)]


def _captured(app, path, headers) -> tuple[int, list]:
    """``sqlcapture.captured``, also for a page: the test client keeps cookies in its own jar."""
    cookie = headers.get("Cookie")
    if not cookie:
        return sqlcapture.captured(app, path, headers)
    from bankapp.extensions import db

    client = app.test_client()
    for part in cookie.split("; "):
        name, _, value = part.partition("=")
        client.set_cookie(name, value)
    with app.app_context():
        engine = db.engine
    with sqlcapture.recording(engine) as statements:
        response = client.get(path)
    return response.status_code, statements


def measure(url, app, base_url, path, headers, small=None, *, repeat=30) -> dict:
    full = path.format(n=50) if small else path
    http = common.summary_ms(sqlcapture.timed_gets(base_url, full, headers, repeat=repeat))
    status, statements = _captured(app, full, headers)
    if status != 200:
        raise RuntimeError(f"GET {full} answered {status}")
    reads = _reads(statements)
    figures = {"http": http, "statements": len(statements), "reads": len(reads),
               "bare_ms": sqlcapture.bare_ms(url, reads)}
    if small:
        figures["statements_small"] = len(_captured(app, path.format(n=5), headers)[1])
    return figures


def run(url, app, base_url, *, repeat=30, secret_key=None) -> dict:
    """``secret_key``: the servers' own, so that the in-process app reads their session cookie too."""
    if secret_key:
        app.config["SECRET_KEY"] = secret_key
    with common.connect(url) as conn:
        doctor_id, email = board.board_doctor(conn)
        booked = book_doctor(conn, doctor_id)
        try:
            open_count = conn.execute("SELECT count(*) FROM shifts WHERE status = 'open' AND start_at > now()"
                                      ).fetchone()[0]
            token = common.issue_tokens(conn, [doctor_id])[doctor_id]
            api = {"Authorization": f"Bearer {token}"}
            page = {"Cookie": sqlcapture.login_cookie(base_url, email, common.BENCH_PASSWORD)}
            results = {}
            for name, (path, size) in PATHS.items():
                results[name] = measure(url, app, base_url, path, api if path.startswith("/api") else page,
                                        small=size, repeat=repeat)
                log.info("eligible board, %s: %s", name, results[name])
        finally:
            unbook(conn, doctor_id, booked)
    return {"open": open_count, "bookings": len(booked), "paths": results}


def main(argv=None):
    from .run import SHARED_SECRET, app_env

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    url = common.database_url(args.database_url)
    load_before = os.getloadavg()
    server = servers.start_gunicorn("app", "wsgi:app", env=app_env(url))
    try:
        app = common.make_app(url)
        plain = board.run(url, app, server.base_url, repeat=args.repeat)  # today's board row, for comparison
        figures = run(url, app, server.base_url, repeat=args.repeat, secret_key=SHARED_SECRET)
    finally:
        servers.stop(server)
    from .report_table import board_rows, eligible_board_rows

    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    for row in board_rows(plain) + eligible_board_rows(figures):
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
