"""`make bench`: every benchmark against gunicorn + PostgreSQL on this machine, one table, bench/RESULTS.md.

    .venv/bin/python -m bench.run [--two-servers] [--regenerate] [--database-url URL] [--profile DIR]

Generates the merged trust's year into the ``bench`` database when it is not
there yet (``bench/generate.py``), then: the floor storm (bench/floor_app.py)
and the claim storm through the real app, taking turns for ``--rounds``
rounds (the round with the median ratio is reported), the shift board, the year's
reports (read through REPORTS_DATABASE_URL: a read-only role on the bench
database stands in for a streaming replica) and the fill-rate page, the payroll export, the alert fan-out,
the forecast's back-test and the workers' peak memory;
with ``--two-servers`` the storm again, split between two gunicorn instances
on two ports sharing PostgreSQL and a Redis rate-limit store, then paced
storms while one of the two is restarted (``bench/restart.py``). Everything
listens on 127.0.0.1 and is stopped at the end, also on errors and Ctrl-C.
"""
import argparse
import logging
import os
import tempfile
import time
from collections import Counter

from . import (
    board,
    common,
    eligible_board,
    export_bench,
    fanout_bench,
    forecast_bench,
    generate,
    report_table,
    reports_bench,
    restart,
    servers,
    sqlcapture,
    storm,
)

log = logging.getLogger(__name__)
SHARED_SECRET = "bench-secret-shared-by-every-app-server"
SHARED_AUDIT_KEY = "bench-audit-key-shared-by-every-app-server"


def needs_generation(url, expected_shifts) -> bool:
    with common.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('public.shifts')").fetchone()[0]
        if exists is None:
            return True
        return conn.execute("SELECT count(*) FROM shifts").fetchone()[0] < expected_shifts * 0.9


def app_env(url, ratelimit="memory://") -> dict:
    return {"DATABASE_URL": url, "SECRET_KEY": SHARED_SECRET, "RATELIMIT_STORAGE_URI": ratelimit,
            "RATELIMIT_ENABLED": "true", "PUBLIC_BASE_URL": "http://127.0.0.1", "AUDIT_HMAC_KEY": SHARED_AUDIT_KEY,
            "AUDIT_ANCHOR_PATH": os.path.join(tempfile.gettempdir(), "bench-audit-anchor.jsonl")}


def storm_figures(conn, plan, result, seconds_floor=None) -> dict:
    statuses = Counter(result.statuses)
    return {"claims": len(result.statuses), "seconds": result.seconds, "throughput": result.throughput,
            "cpu_ms": result.cpu_ms,
            "latency": common.summary_ms(result.latencies), "statuses": dict(statuses),
            "5xx": sum(n for s, n in statuses.items() if s >= 500),
            "unexpected": sum(n for s, n in statuses.items() if s not in storm.EXPECTED),
            "double_bookings": storm.double_bookings(conn), "booked": storm.booked_shifts(conn, plan),
            "shifts": len(plan.shift_ids)}


WARM_UP = (20, 200)  # shifts, claims


def claim_storm(url, conn, servers_, args, *, floor=False, method="POST", path_for=None):
    """The storm against ``servers_`` (split between them); ``path_for``/``method`` aim it elsewhere.

    A small storm goes first and is not measured, so that every worker has
    its database connections and its imports before the clock starts; floor
    and app alike.
    """
    base_urls = [s.base_url for s in servers_]
    pids = [pid for s in servers_ for pid in [s.process.pid, *s.worker_pids()]]
    path_for = path_for or ((lambda sid: f"/claim/{sid}") if floor else None)
    warm = storm.prepare(conn, shifts=WARM_UP[0], claims=WARM_UP[1], with_tokens=not floor)
    try:
        storm.run(base_urls, warm, clients=args.clients, path_for=path_for, method=method)
    finally:
        storm.cleanup(conn, warm)
    plan = storm.prepare(conn, shifts=args.storm_shifts, claims=args.claims, with_tokens=not floor)
    try:
        result = storm.run(base_urls, plan, clients=args.clients, path_for=path_for, method=method,
                           server_pids=pids)
        figures = storm_figures(conn, plan, result)
        log.info("storm on %s: %s", ", ".join(base_urls), report_table.storm_text(figures))
        return figures
    finally:
        storm.cleanup(conn, plan)


def median_round(rounds):
    """The (floor, storm) round with the median ratio: the floor and the app storm take turns, so
    that a machine whose speed drifts (a shared host) slows both sides of each ratio alike."""
    by_ratio = sorted(rounds, key=lambda pair: pair[1]["throughput"] / pair[0]["throughput"])
    return by_ratio[(len(by_ratio) - 1) // 2]


# Where the claim's gap to the floor comes from: the same storm, through the same gunicorn app, asking less.
MISSING_SHIFT = 2**31 - 1
GAP_STORMS = {
    "app, nothing to do (GET /healthz: no database)": ("GET", lambda sid: "/healthz"),
    "app, token check + one statement (claim of a missing shift: 404)":
        ("POST", lambda sid: f"/api/v1/shifts/{MISSING_SHIFT}/claim"),
}


def run_all(url, args, started) -> dict:
    results = {}
    with common.connect(url) as conn:
        floor = servers.start_gunicorn("floor", "bench.floor_app:app", env={"FLOOR_DATABASE_URL": url},
                                       ready_path="/")
        started.append(floor)
        # Reports read through REPORTS_DATABASE_URL: a read-only role stands in for a streaming replica.
        reports_url = common.create_read_only_role(url)
        app_server = servers.start_gunicorn("app", "wsgi:app",
                                            env={**app_env(url), "REPORTS_DATABASE_URL": reports_url})
        started.append(app_server)
        rounds = [(claim_storm(url, conn, [floor], args, floor=True), claim_storm(url, conn, [app_server], args))
                  for _ in range(args.rounds)]
        results["floor"], results["storm"] = median_round(rounds)
        results["rounds"] = [storm_["throughput"] / floor_["throughput"] for floor_, storm_ in rounds]
        servers.stop(floor)
        results["rss_mb"] = app_server.worker_peak_rss_mb()
        results["gap"] = {name: claim_storm(url, conn, [app_server], args, method=method, path_for=path_for)
                          for name, (method, path_for) in GAP_STORMS.items()}
        app = common.make_app(url, reports_url=reports_url)
        results["board"] = board.run(url, app, app_server.base_url)
        results["report_page"] = reports_bench.fill_rate_page(app_server.base_url)
        results["eligible_board"] = eligible_board.run(url, app, app_server.base_url, secret_key=SHARED_SECRET)
        results["reports"] = reports_bench.run(url, app, app_server.base_url)
        results["rss_mb_after_reads"] = app_server.worker_peak_rss_mb()
        servers.stop(app_server)

        if args.two_servers:
            redis = servers.ensure_redis()
            if redis is not None:
                started.append(redis)
            env = app_env(url, ratelimit="redis://127.0.0.1:6379/0")
            envs = {name: {**env, "DRAIN_FILE": str(restart.drain_file(name))} for name in ("app-a", "app-b")}
            pair = [servers.start_gunicorn(name, "wsgi:app", env=envs[name]) for name in envs]
            started += pair
            results["two_servers"] = claim_storm(url, conn, pair, args)
            results["two_servers"]["ports"] = [s.port for s in pair]
            results["two_servers"]["logins"] = sqlcapture.failed_logins_across(
                [s.base_url for s in pair], f"nobody-{int(time.time())}@bench.nhs.uk")
            log.info("failed logins alternating between the two servers, form and API: %s",
                     results["two_servers"]["logins"])
            results["restarts"], pair = restart.run(conn, pair, envs, args)
            started += pair
            for server in pair:
                servers.stop(server)
    profile = args.profile
    results["export"] = export_bench.run(app, profile=profile and os.path.join(profile, "export.html"))
    results["fanout"] = fanout_bench.run(app, profile=profile and os.path.join(profile, "fanout.html"))
    results["backtest"] = forecast_bench.run(app)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--regenerate", action="store_true", help="generate the year again even if present")
    parser.add_argument("--two-servers", action="store_true", help="also split the storm over two gunicorns")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--storm-shifts", type=int, default=200)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--restart-claims", type=int, default=2700, help="most claims of one restart storm")
    parser.add_argument("--restart-shifts", type=int, default=675)
    parser.add_argument("--restart-rate", type=float, default=60, help="claims a second in the restart storms")
    parser.add_argument("--rounds", type=int, default=3, help="alternating floor and claim storms; the median counts")
    parser.add_argument("--profile", default=None, help="directory for pyinstrument profiles (export, fan-out)")
    parser.add_argument("--results", default=os.path.join(os.path.dirname(__file__), "RESULTS.md"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    url = common.database_url(args.database_url)
    if args.profile:
        os.makedirs(args.profile, exist_ok=True)
    common.ensure_database(url)
    began = time.monotonic()
    load_before = os.getloadavg()
    if args.regenerate or needs_generation(url, 100_000):
        log.info("generating the merged trust's year into %s (a few minutes)", url)
        generate.generate(url, seed=args.seed)
    started = []
    try:
        results = run_all(url, args, started)
    finally:
        for thing in reversed(started):
            servers.stop(thing)
        common.drop_read_only_role(url)
    results["machine"] = report_table.machine(load_before)
    results["wall_seconds"] = time.monotonic() - began
    text = report_table.render(results)
    print(text)
    with open(args.results, "w") as out:
        out.write(report_table.document(results, text))
    log.info("wrote %s", args.results)


if __name__ == "__main__":
    main()
