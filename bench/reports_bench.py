"""Reports for the whole year through gunicorn: the breach register, fill rates and spend (by site and by
week) and the 14-day forecast of unfilled shifts (read from a year of history); and the fill-rate page
as an executive opens it.

Time per request (p50 of a few), and the ratio to the bare SQL aggregates:
every statement the report ran, less the ones that authenticate the caller,
executed again straight through psycopg. The page: its first load on a worker
(the first request of a keep-alive connection) and the p50 of the next ones.
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
            "fill rates by week": f"/api/v1/reports/fill-rates?{period}&group_by=week",
            "spend by site": f"/api/v1/reports/spend?{period}&group_by=site",
            "spend by week": f"/api/v1/reports/spend?{period}&group_by=week",
            "forecast, 14 days": "/api/v1/reports/forecast?days=14"}


PAGE = "/reports/fill-rates"


def fill_rate_page(base_url, *, repeat=10) -> dict:
    """The fill-rate page (its default twelve weeks) as the executive opens it: the first load on a worker,
    then the p50 of the following loads on the same keep-alive connection (so the same worker)."""
    cookie = sqlcapture.login_cookie(base_url, EXECUTIVE_EMAIL, common.BENCH_PASSWORD)
    seconds = sqlcapture.timed_gets(base_url, PAGE, {"Cookie": cookie}, repeat=repeat, warmup=0)
    first, rest = seconds[0] * 1000, common.summary_ms(seconds[1:])
    log.info("fill-rate page: first load %.0f ms, then p50 %.0f ms", first, rest["p50"])
    return {"first_ms": first, "later": rest}


EXECUTIVE_EMAIL = "exec@bench.nhs.uk"  # bench/generate.py's executive


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


run_reports = run


def main(argv=None):
    """Only the reports (through gunicorn) and the payroll export (in-process), on the existing bench data.

        .venv/bin/python -m bench.reports_bench [--database-url URL] [--repeat N] [--no-export]
    """
    import argparse

    from . import export_bench, servers
    from .run import app_env

    parser = argparse.ArgumentParser(description="reports and payroll export benchmarks")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-export", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    url = common.database_url(args.database_url)
    app = common.make_app(url)
    server = servers.start_gunicorn("app", "wsgi:app", env=app_env(url))
    try:
        page = fill_rate_page(server.base_url)
        results = run_reports(url, app, server.base_url, repeat=args.repeat)
    finally:
        servers.stop(server)
    print(f"{'fill-rate page':22s} first load {page['first_ms']:.0f} ms, then p50 {page['later']['p50']:.0f} ms")
    for name, figures in results.items():
        ratio = figures["http"]["p50"] / figures["bare_ms"] if figures["bare_ms"] else float("nan")
        print(f"{name:22s} p50 {figures['http']['p50']:7.0f} ms  bare {figures['bare_ms']:6.0f} ms "
              f"({figures['statements']} statements)  {ratio:4.1f}x  status {figures['status']}")
    if not args.no_export:
        export = export_bench.run(app)
        print(f"{'payroll export':22s} {export['timesheets']} timesheets, {export['bytes']} bytes in "
              f"{export['seconds']:.2f} s")


if __name__ == "__main__":
    main()
