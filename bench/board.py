"""Shift board: a doctor's eligible open shifts among the year's 100,000, through gunicorn.

Measures ``GET /api/v1/shifts?status=open`` (first page of 50, as a doctor of
the most senior grade, who may work every open shift) and the ``/shifts``
page, p50/p95 per request, and the bare SQL of the listing query the API
runs (the one ``SELECT … FROM shifts … ORDER BY shifts.id LIMIT``) timed
straight through psycopg.
"""
import logging

from . import common, sqlcapture

log = logging.getLogger(__name__)
API_PATH = "/api/v1/shifts?status=open&limit=50"


def board_doctor(conn):
    """(user id, email) of a doctor of the most senior grade with every document valid."""
    return conn.execute(
        "SELECT u.id, u.email FROM users u JOIN doctor_profiles p ON p.user_id = u.id "
        "JOIN grades g ON g.id = p.grade_id WHERE (SELECT min(expires_on) FROM compliance_documents d "
        "WHERE d.user_id = u.id AND d.status = 'verified') > current_date + 60 ORDER BY g.rank DESC, u.id LIMIT 1"
    ).fetchone()


def listing_statement(statements):
    for sql, params in statements:
        if "FROM shifts" in sql and "ORDER BY shifts.id" in sql and "LIMIT" in sql:
            return sql, params
    raise RuntimeError("the listing query was not found among the request's statements")


def run(url, app, base_url, *, repeat=30) -> dict:
    with common.connect(url) as conn:
        doctor_id, email = board_doctor(conn)
        token = common.issue_tokens(conn, [doctor_id])[doctor_id]
        open_count = conn.execute("SELECT count(*) FROM shifts WHERE status = 'open' AND start_at > now()"
                                  ).fetchone()[0]
    headers = {"Authorization": f"Bearer {token}"}
    api = common.summary_ms(sqlcapture.timed_gets(base_url, API_PATH, headers, repeat=repeat))
    cookie = sqlcapture.login_cookie(base_url, email, common.BENCH_PASSWORD)
    page = common.summary_ms(sqlcapture.timed_gets(base_url, "/shifts", {"Cookie": cookie}, repeat=repeat,
                                                   warmup=1))
    status, statements = sqlcapture.captured(app, API_PATH, headers)
    bare = sqlcapture.bare_ms(url, [listing_statement(statements)])
    log.info("board: api p50 %.1f ms, page p50 %.1f ms, bare %.2f ms, %s statements per API request",
             api["p50"], page["p50"], bare, len(statements))
    return {"open": open_count, "api": api, "page": page, "bare_ms": bare, "statements": len(statements),
            "status": status}
