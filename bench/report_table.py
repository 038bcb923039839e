"""The one table `make bench` prints, with every target and whether it was met, and bench/RESULTS.md."""
import os
import platform
import subprocess
from datetime import UTC, datetime

from . import restart

TARGETS = {"ratio": 0.5, "board_ratio": 2.0, "eligible_board_ratio": 3.0, "report_ratio": 2.0, "report_ms": 1000,
           "page_ms": 500,
           "export_s": 5.0, "fanout_s": 2.0, "rss_mb": 200}


def machine(load_before) -> dict:
    mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal:"))
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        pg = "psql not found"
    return {"nproc": os.cpu_count(), "memory_gb": mem_kb / 1024 / 1024, "python": platform.python_version(),
            "postgres": pg, "load_before": load_before, "load_after": os.getloadavg(),
            "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def _ok(passed) -> str:
    return "PASS" if passed else "FAIL"


def _lat(lat) -> str:
    return f"p50 {lat['p50']:.0f} / p95 {lat['p95']:.0f} / p99 {lat['p99']:.0f} ms"


def storm_text(s) -> str:
    codes = ", ".join(f"{code}×{n}" for code, n in sorted(s["statuses"].items()))
    return (f"{s['claims']} claims on {s['shifts']} shifts in {s['seconds']:.1f} s = {s['throughput']:.0f}/s; "
            f"{_lat(s['latency'])}; answers {codes}; {s['booked']} shifts booked")


def cpu_text(s) -> str:
    c = s.get("cpu_ms") or {}
    if not c:
        return ""
    return (f"; CPU per request: server {c['server']:.2f} ms, PostgreSQL {c['postgres']:.2f} ms, "
            f"client {c['client']:.2f} ms")


def rounds_text(ratios) -> str:
    if len(ratios) < 2:
        return ""
    return f" (median of {len(ratios)} rounds of floor then storm: {', '.join(f'{x:.2f}' for x in ratios)})"


def gap_text(s, floor) -> str:
    codes = ", ".join(f"{code}×{n}" for code, n in sorted(s["statuses"].items()))
    ratio = s["throughput"] / floor["throughput"] if floor["throughput"] else 0
    return f"{s['throughput']:.0f}/s ({ratio:.2f}× floor); answers {codes}{cpu_text(s)}"


def board_rows(b) -> list[tuple]:
    rows = []
    for name, key in (("shift board API (GET /api/v1/shifts?status=open)", "api"), ("shift board page (/shifts)",
                                                                                   "page")):
        ratio_b = b[key]["p50"] / b["bare_ms"] if b["bare_ms"] else 0
        rows.append((name, f"{_lat(b[key])}; bare SQL {b['bare_ms']:.1f} ms → {ratio_b:.1f}× "
                           f"({b['open']} open shifts ahead)", f"≤ {TARGETS['board_ratio']:.0f}× bare SQL",
                     _ok(ratio_b <= TARGETS["board_ratio"])))
    return rows


def eligible_board_rows(e) -> list[tuple]:
    """The board with eligibility (bench/eligible_board.py): one row per path, then the statements row."""
    rows = []
    for name, p in e["paths"].items():
        ratio = p["http"]["p50"] / p["bare_ms"] if p["bare_ms"] else 0
        target = TARGETS["eligible_board_ratio"]
        rows.append((f"shift board with eligibility — {name}",
                     f"{_lat(p['http'])}; bare SQL {p['bare_ms']:.1f} ms ({p['reads']} reads) → {ratio:.1f}× "
                     f"({e['open']} open shifts ahead, the doctor booked on {e['bookings']})",
                     f"≤ {target:.0f}× bare SQL", _ok(ratio <= target)))
    sized = [(name, p) for name, p in e["paths"].items() if "statements_small" in p]
    same = all(p["statements"] == p["statements_small"] for _, p in sized)
    counts = "; ".join(f"{name.split(',')[0]} {name.split('(')[-1].rstrip(')')}: {p['statements']} for 50 shifts, "
                       f"{p['statements_small']} for 5" for name, p in sized)
    rows.append(("shift board with eligibility — statements per request", counts, "the same for 5 and 50",
                 _ok(same)))
    return rows


def restart_text(f) -> str:
    codes = ", ".join(f"{code}×{n}" for code, n in sorted(f["statuses"].items()))
    errors = ", ".join(f"{name}×{n}" for name, n in sorted(f["errors"].items()))
    routing = "; ".join(f"{n} {what}" for what, n in sorted(f["routing"].items())) or "no request rerouted"
    events = ", ".join(f"{what} +{t:.1f} s" for t, what in f["events"])
    failed = f"; restart failed: {f['restart_error']}" if f["restart_error"] else ""
    return (f"{f['claims']} claims in {f['seconds']:.1f} s (paced at {f['rate']:.0f}/s); answers {codes}; "
            f"{f['connection_errors']} connection errors{f' ({errors})' if errors else ''}; {routing}; "
            f"{f['won']} answers 201 = {f['booked']} shifts booked; {f['double_bookings']} double bookings; "
            f"restart: {events}{failed}; after it the restarted server answered {f['after_restart']} claims")


def restart_rows(restarts) -> list[tuple]:
    out = []
    for name, figures in restarts.items():
        if name in restart.CONTROLS:
            out.append((f"restart in a claim storm — {name}", restart_text(figures), "— (what draining avoids)", ""))
        else:
            out.append((f"restart in a claim storm — {name}", restart_text(figures),
                        "0 5xx, 0 connection errors, 0 double bookings", _ok(restart.passed(figures))))
    return out


def rows(r) -> list[tuple]:
    storm, floor = r["storm"], r["floor"]
    ratio = storm["throughput"] / floor["throughput"] if floor["throughput"] else 0
    out = [
        ("floor (bench/floor_app.py, one UPDATE … RETURNING)", storm_text(floor) + cpu_text(floor), "—", ""),
        ("claim storm (POST /api/v1/shifts/{id}/claim)", storm_text(storm) + cpu_text(storm), "", ""),
        ("claim throughput / floor", f"{ratio:.2f}{rounds_text(r.get('rounds', []))}", f"≥ {TARGETS['ratio']}",
         _ok(ratio >= TARGETS["ratio"])),
        ("double bookings (shifts with > 1 live booking)", str(storm["double_bookings"]), "0",
         _ok(storm["double_bookings"] == 0)),
        ("5xx / answers other than 201, 409, 422", f"{storm['5xx']} / {storm['unexpected']}", "0 / 0",
         _ok(storm["5xx"] == 0 and storm["unexpected"] == 0)),
    ]
    out += [(f"where the gap is — {name}", gap_text(g, floor), "—", "") for name, g in r.get("gap", {}).items()]
    if "two_servers" in r:
        two = r["two_servers"]
        out.append((f"two servers (ports {two['ports'][0]}, {two['ports'][1]}; Redis rate limits)", storm_text(two),
                    "0 double bookings, 0 5xx",
                    _ok(two["double_bookings"] == 0 and two["5xx"] == 0 and two["unexpected"] == 0)))
        logins = two.get("logins", [])
        out.append(("two servers: 6 wrong passwords for one account, alternating servers and form/API",
                    "answers " + ", ".join(map(str, logins)), "5 × 401 then 429 (limit 5 per account, shared)",
                    _ok(logins[:5] == [401] * 5 and logins[5:] == [429])))
    out += restart_rows(r.get("restarts", {}))
    out += board_rows(r["board"])
    if "eligible_board" in r:
        out += eligible_board_rows(r["eligible_board"])
    for name, rep in r["reports"].items():
        ratio_r = rep["http"]["p50"] / rep["bare_ms"] if rep["bare_ms"] else 0
        ok = ratio_r <= TARGETS["report_ratio"] and rep["http"]["p50"] < TARGETS["report_ms"]
        out.append((f"report: {name} (a year, from REPORTS_DATABASE_URL)",
                    f"p50 {rep['http']['p50']:.0f} ms; bare SQL {rep['bare_ms']:.0f} ms "
                    f"({rep['statements']} statements) → {ratio_r:.1f}×",
                    "≤ 2× bare SQL and < 1 s", _ok(ok)))
    if "report_page" in r:
        page = r["report_page"]
        worst = max(page["first_ms"], page["later"]["p50"])
        out.append(("report page: fill rates (/reports/fill-rates, its 12 weeks, as the executive)",
                    f"first load on a worker {page['first_ms']:.0f} ms; then p50 {page['later']['p50']:.0f} ms",
                    f"< {TARGETS['page_ms']} ms, first load included", _ok(worst < TARGETS["page_ms"])))
    if "backtest" in r:
        from .forecast_bench import text as backtest_text

        b = r["backtest"]
        out.append(("forecast back-test (unfilled shifts, bench year)", backtest_text(b),
                    "error below the baseline's", _ok(b["mean_absolute_error"] < b["baseline_mean_absolute_error"])))
    e, f = r["export"], r["fanout"]
    out += [
        ("payroll export (one batch + ESR CSV)", f"{e['timesheets']} timesheets, {e['bytes'] // 1024} KiB CSV in "
                                                 f"{e['seconds']:.2f} s", "< 5 s", _ok(e["seconds"] < 5)),
        ("alert fan-out (shift.opened → outbox)", f"{f['written']} texts for {f['doctors']} doctors in "
                                                  f"{f['seconds']:.2f} s", "< 2 s", _ok(f["seconds"] < 2)),
        ("gunicorn worker peak RSS (VmHWM) in the storm", f"{r['rss_mb']:.0f} MB (after board and reports: "
                                                          f"{r['rss_mb_after_reads']:.0f} MB)", "< 200 MB",
         _ok(r["rss_mb"] < 200)),
    ]
    return out


def render(r) -> str:
    m = r["machine"]
    head = (f"Staff Bank benchmarks — {m['at']}; {m['nproc']} cores, {m['memory_gb']:.1f} GiB; {m['postgres']}; "
            f"load average before {m['load_before'][0]:.1f}, after {m['load_after'][0]:.1f}; "
            f"{r['wall_seconds']:.0f} s in all")
    lines = [head, "", "| benchmark | result | target | |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows(r)]
    return "\n".join(lines)


def document(r, table) -> str:
    rate = next(iter(r.get("restarts", {}).values()), {}).get("rate", 0)
    return f"""# Benchmark results

Written by `.venv/bin/python -m bench.run --two-servers` (see bench/SCALE.md). The data is the generated
year of the merged trust (bench/generate.py: 3 sites, 30 departments, 2,800 doctors, ~100,000 shifts).
gunicorn: {4} workers × {4} threads (gthread) for the app and the floor alike.

{table}

How the figures are made:
- Storm: {r['storm']['claims']} claims by distinct eligible doctors, spread evenly over {r['storm']['shifts']}
  freshly posted open shifts, sent by 64 client threads released together, each on one keep-alive connection.
  Throughput is claims / wall time from release to the last answer. Latency includes queueing in gunicorn.
  Before each measured storm a small one (200 claims on 20 shifts, then removed) warms every worker up:
  database connections open, code imported; the floor gets the same.
- Floor: the same storm against bench/floor_app.py (one conditional UPDATE … RETURNING per request, no auth).
  The floor and the claim storm take turns for {len(r.get('rounds', [])) or 1} round(s), both servers up throughout;
  the table shows the round with the median ratio, so a shared machine's drift slows both sides of it alike.
- "Where the gap is": the same storm through the same gunicorn app asking less of it — a request that touches no
  database, then a claim of a shift that does not exist (token check and the claim's lock statement, 404) — so
  the claim's distance from the floor can be split into the framework's share and the claim's own.
- CPU per request: utime + stime from /proc before and after each storm, for the server's processes, every
  PostgreSQL process and the load client (bench/cpu.py); the three share the machine's cores.
- Restarts: two gunicorn servers as in the two-server run, behind bench/balancer.py, which does a load
  balancer's part: GET /healthz on each server every 0.5 s (out of rotation after two failed checks, back at
  the first 200), and a claim goes to another server only when it was never sent (connection refused, or a
  kept-alive connection the server had closed, seen before writing). Anything after the first byte is
  written is that claim's answer; a connection error then counts as one. Claims are paced ({rate:.0f} a second,
  distinct doctors) from 3 s before the restart until 6 s after it; "drain" is the server's DRAIN_FILE
  (/healthz → 503), then 1 s for claims already sent, then SIGTERM, start on the same port, file removed.
  The control row restarts the same way without the drain: it shows what draining is for, and that the
  client does see lost requests.
- Reports read through REPORTS_DATABASE_URL, set to a read-only role on the bench database
  (default_transaction_read_only = on) standing in for a streaming replica: their own engine and pool.
- Board and reports: one client, one keep-alive connection, p50 of repeated requests after a warm-up.
  "Bare SQL" is the same SQL with the same parameters, captured from the request and run again straight through
  psycopg (board: the listing query; reports: every statement of the report, without the caller's
  authentication).
- Export and fan-out run the real services in-process against the same database, in a transaction that is rolled
  back, so the benchmark can be repeated on the same data.
- Memory: the largest VmHWM of the app's gunicorn workers, read from /proc after the storm.
- This machine is shared: the load average before and after is printed with the table.
- Where the time goes, by file and function: bench/SCALE.md ("Where the time goes").
"""
