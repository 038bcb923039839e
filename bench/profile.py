"""Profile one request of the real app in-process with pyinstrument, against the bench database.

    .venv/bin/python -m bench.profile board|page|claim|storm|breaches|fill-rates|spend|forecast|first-load [--out DIR]

Prints the call tree (time per function) and writes an HTML profile, so a
missed target can be traced to a file and a function rather than guessed.
A claim profile posts one open shift first and removes what it added after;
a storm profile runs the whole claim storm's 1,000 claims one after another
in-process (201s and 409s in the storm's proportions) and prints the CPU per claim.
A first-load profile is the executive's first request of the fill-rate page in a fresh
process, without the warm-up gunicorn workers do (``bankapp/warmup.py``).
"""
import argparse
import os
import time

from pyinstrument import Profiler

from . import board, common, reports_bench, storm


def _request(app, method, path, headers):
    client = app.test_client()
    client.open(path, method=method, headers=headers)  # warm-up: imports, first queries
    profiler = Profiler(interval=0.0005)
    profiler.start()
    response = client.open(path, method=method, headers=headers)
    profiler.stop()
    return response.status_code, profiler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("board", "page", "claim", "storm", "breaches", "fill-rates", "spend",
                                         "forecast", "first-load"))
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--out", default="/tmp/bench-profiles")
    args = parser.parse_args(argv)
    url = common.database_url(args.database_url)
    app = common.make_app(url)
    os.makedirs(args.out, exist_ok=True)
    with common.connect(url) as conn:
        plan = None
        if args.what in ("board", "page"):
            doctor_id, _ = board.board_doctor(conn)
            token = common.issue_tokens(conn, [doctor_id])[doctor_id]
            method, path = "GET", board.API_PATH if args.what == "board" else "/shifts"
            headers = {"Authorization": f"Bearer {token}"}
        elif args.what == "storm":
            plan = storm.prepare(conn)
        elif args.what == "claim":
            plan = storm.prepare(conn, shifts=2, claims=2)
            method, path = "POST", f"/api/v1/shifts/{plan.claims[1][0]}/claim"
            headers = {"Authorization": f"Bearer {plan.claims[1][1]}"}
            # the warm-up request claims the other shift with the other doctor
        else:
            executive = conn.execute("SELECT min(user_id) FROM user_roles WHERE role = 'executive'").fetchone()[0]
            token = common.issue_tokens(conn, [executive])[executive]
            name = {"breaches": "breaches", "fill-rates": "fill rates by week", "spend": "spend by week",
                    "forecast": "forecast, 14 days"}.get(args.what)
            method, headers = "GET", {"Authorization": f"Bearer {token}"}
            path = reports_bench.paths()[name] if name else reports_bench.PAGE
        try:
            if args.what == "page":
                status, profiler = _page(app, conn)
            elif args.what == "first-load":
                status, profiler = _first_load(app, executive)
            elif args.what == "claim":
                status, profiler = _claim(app, plan)
            elif args.what == "storm":
                status, profiler = _storm(app, plan)
            else:
                status, profiler = _request(app, method, path, headers)
        finally:
            if plan is not None:
                storm.cleanup(conn, plan)
    out = os.path.join(args.out, f"{args.what}.html")
    profiler.write_html(out)
    print(f"{args.what}: HTTP {status}; profile in {out}")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def _claim(app, plan):
    client = app.test_client()
    (first_shift, first_token), (second_shift, second_token) = plan.claims[0], plan.claims[1]
    client.post(f"/api/v1/shifts/{first_shift}/claim", headers={"Authorization": f"Bearer {first_token}"})
    shift = second_shift if second_shift != first_shift else plan.shift_ids[-1]
    profiler = Profiler(interval=0.0005)
    profiler.start()
    response = client.post(f"/api/v1/shifts/{shift}/claim", headers={"Authorization": f"Bearer {second_token}"})
    profiler.stop()
    return response.status_code, profiler


def _storm(app, plan):
    """Every claim of the storm plan, sequentially through the test client; statuses counted."""
    client = app.test_client()
    statuses = {}
    profiler = Profiler(interval=0.001)
    profiler.start()
    cpu = time.process_time()
    for shift_id, token in plan.claims:
        status = client.post(f"/api/v1/shifts/{shift_id}/claim", headers={"Authorization": f"Bearer {token}"})
        statuses[status.status_code] = statuses.get(status.status_code, 0) + 1
    cpu = time.process_time() - cpu
    profiler.stop()
    print(f"storm in-process: {statuses}; {cpu / len(plan.claims) * 1000:.2f} ms of this process's CPU per claim")
    return statuses, profiler


def _first_load(app, user_id):
    """The fill-rate page as the first request this process serves (no warm-up), logged in by session."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    profiler = Profiler(interval=0.0005)
    profiler.start()
    response = client.get(reports_bench.PAGE)
    profiler.stop()
    return response.status_code, profiler


def _page(app, conn):
    """The /shifts page as the board doctor, logged in through the test client's session."""
    doctor_id, _ = board.board_doctor(conn)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(doctor_id)
        session["_fresh"] = True
    client.get("/shifts")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    response = client.get("/shifts")
    profiler.stop()
    return response.status_code, profiler


if __name__ == "__main__":
    main()
