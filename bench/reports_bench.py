"""Reports for the whole year through gunicorn: the breach register and fill rates (by site and by week).

Time per request (p50 of a few), and the ratio to the bare SQL aggregates:
every statement the report ran, less the ones that authenticate the caller,
executed again straight through psycopg.
"""
import logging
from datetime import UTC, datetime, timedelta

from bankapp.timeutil import london_date

from . import common, sqlcapture

log = logging.getLogger(__name__)


def paths() -> dict:
    today = london_date(datetime.now(UTC))
    period = f"from={(today - timedelta(days=364)).isoformat()}&to={today.isoformat()}"
    return {"breaches": f"/api/v1/reports/breaches?{period}",
            "fill rates by site": f"/api/v1/reports/fill-rates?{period}&group_by=site",
            "fill rates by week": f"/api/v1/reports/fill-rates?{period}&group_by=week"}


def run(url, app, base_url, *, repeat=5) -> dict:
    with common.connect(url) as conn:
        executive = conn.execute("SELECT min(user_id) FROM user_roles WHERE role = 'executive'").fetchone()[0]
        token = common.issue_tokens(conn, [executive])[executive]
    headers = {"Authorization": f"Bearer {token}"}
    out = {}
    for name, path in paths().items():
        http = common.summary_ms(sqlcapture.timed_gets(base_url, path, headers, repeat=repeat, warmup=1))
        status, statements = sqlcapture.captured(app, path, headers)
        own = [(sql, params) for sql, params in statements if not sqlcapture.AUTH_TABLES.search(sql)]
        bare = sqlcapture.bare_ms(url, own, repeat=repeat)
        out[name] = {"http": http, "bare_ms": bare, "statements": len(own), "status": status}
        log.info("report %s: p50 %.0f ms, bare %.0f ms (%s statements)", name, http["p50"], bare, len(own))
    return out
