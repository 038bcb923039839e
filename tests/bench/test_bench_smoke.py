"""Small runs of the benchmark code so that it cannot rot: a tiny generated trust and tiny claim storms
against a live in-process server and the floor app (PostgreSQL only: the generator uses COPY)."""
import os
import threading
from collections import Counter

import pytest
from werkzeug.serving import make_server

from bench import common, floor_app, forecast_bench, generate, storm
from tests.conftest import requires_postgres

pytestmark = requires_postgres


@pytest.fixture
def url():
    return common.database_url(os.environ["TEST_DATABASE_URL"])


@pytest.fixture
def tiny_trust(app, url):
    """One site, three departments, 50 doctors, about 200 shifts, loaded into the test tables."""
    return generate.generate(url, doctors=50, shifts=200, open_future=20, unexported=30, sites=1,
                             departments_per_site=3, days_back=40, days_ahead=14, reset=False)


@pytest.fixture
def live(app):
    servers = []

    def start(wsgi_app):
        server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()


def test_generator_loads_a_consistent_year(tiny_trust, url):
    with common.connect(url) as conn:
        shifts = conn.execute("SELECT count(*) FROM shifts").fetchone()[0]
        open_ahead = conn.execute("SELECT count(*) FROM shifts WHERE status = 'open' AND start_at > now()"
                                  ).fetchone()[0]
        unexported = conn.execute("SELECT count(*) FROM timesheets WHERE status = 'approved' AND "
                                  "exported_batch_id IS NULL").fetchone()[0]
        lines_vs_batches = conn.execute(
            "SELECT (SELECT coalesce(sum(total_amount), 0) FROM payroll_exports), "
            "(SELECT coalesce(sum(l.amount), 0) FROM timesheet_pay_lines l "
            "JOIN timesheets t ON t.id = l.timesheet_id WHERE t.exported_batch_id IS NOT NULL)").fetchone()
        assert storm.double_bookings(conn) == 0
    assert 150 <= shifts <= 200
    assert open_ahead > 0
    assert unexported == 30
    assert lines_vs_batches[0] == lines_vs_batches[1]


def test_tiny_storm_books_each_shift_once(app, tiny_trust, url, live):
    base = live(app)
    with common.connect(url) as conn:
        plan = storm.prepare(conn, shifts=20, claims=40)
        result = storm.run([base], plan, clients=8, time_limit=30)
        statuses = Counter(result.statuses)
        assert set(statuses) <= storm.EXPECTED, statuses
        assert statuses[201] == 20
        assert storm.double_bookings(conn) == 0
        assert storm.booked_shifts(conn, plan) == 20
        storm.cleanup(conn, plan)


def test_tiny_floor_storm_takes_each_shift_once(tiny_trust, url, live, monkeypatch):
    monkeypatch.setenv("FLOOR_DATABASE_URL", url)
    base = live(floor_app.app)
    with common.connect(url) as conn:
        plan = storm.prepare(conn, shifts=20, claims=40, with_tokens=False)
        result = storm.run([base], plan, clients=8, path_for=lambda sid: f"/claim/{sid}", time_limit=30)
        assert Counter(result.statuses) == {201: 20, 409: 20}
        storm.cleanup(conn, plan)


def test_forecast_back_test_runs_on_the_generated_year(app, tiny_trust):
    found = forecast_bench.run(app, weeks=2)
    assert (found["origins"], found["days"], found["cells"]) == (2, 14, 2 * 14)  # one site
    assert found["mean_absolute_error"] >= 0 and found["baseline_mean_absolute_error"] >= 0
    assert 0 <= found["range_held"] <= 1 and found["mean_unfilled"] >= 0
def test_tiny_eligible_board_costs_the_same_statements_for_5_and_50_and_leaves_the_data(app, tiny_trust, url,
                                                                                      live):
    from bench import eligible_board

    with common.connect(url) as conn:
        before = conn.execute("SELECT count(*), count(*) FILTER (WHERE status = 'open') FROM shifts").fetchone()
    figures = eligible_board.run(url, app, live(app), repeat=3)
    assert figures["bookings"] == 40
    sized = [p for p in figures["paths"].values() if "statements_small" in p]
    assert len(sized) == 2 and all(p["statements"] == p["statements_small"] for p in sized)
    assert all(p["bare_ms"] > 0 and p["reads"] > 0 for p in figures["paths"].values())
    with common.connect(url) as conn:
        assert conn.execute("SELECT count(*), count(*) FILTER (WHERE status = 'open') FROM shifts").fetchone() \
            == before
