"""Reports from a read replica: a read-only role on the test database stands in for it (PostgreSQL only).

The app under test is deployed as production would be with ``REPORTS_DATABASE_URL``
set (``replica_app``). Every report answers exactly as it does from the primary,
every report statement goes to the replica's engine, the primary sees only
the caller's authentication, and a write through the reports engine is refused.
"""
import re
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from bankapp.extensions import db
from bankapp.reports.db import reports_engine, reports_session
from tests.factories import PASSWORD, ApiClient

from . import fixtures as fx
from .htmltables import tables

PERIOD = f"from={fx.FROM}&to={fx.TO}"
REPORT_DATA = re.compile(r"\b(shifts|bookings|breaches|rate_violations|timesheets|timesheet_pay_lines|"
                         r"agency_offers|departments)\b")


@contextmanager
def statements(app):
    """The SQL each of ``app``'s engines is sent inside the block: {"primary": [...], "reports": [...]}."""
    seen = {"primary": [], "reports": []}
    with app.app_context():
        engines = {"primary": db.engine, "reports": reports_engine()}
    hooks = []
    for name, engine in engines.items():
        def note(_conn, _cursor, statement, *_args, _into=seen[name]):
            _into.append(statement)
        event.listen(engine, "before_cursor_execute", note)
        hooks.append((engine, note))
    try:
        yield seen
    finally:
        for engine, note in hooks:
            event.remove(engine, "before_cursor_execute", note)


def assert_read_from_replica(seen, what):
    assert seen["reports"], f"{what}: nothing was read from the replica"
    on_primary = [s for s in seen["primary"] if REPORT_DATA.search(s)]
    assert not on_primary, f"{what}: report data read from the primary: {on_primary}"


def test_the_stand_in_replica_refuses_every_write(replica_url):
    with psycopg.connect(replica_url) as conn:
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        assert conn.execute("SELECT count(*) FROM sites").fetchone()[0] >= 0
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("UPDATE sites SET name = name")


def test_report_api_and_csv_answers_are_the_primarys_read_from_the_replica(world, client, replica_app):
    fx.build(world)
    from_primary = ApiClient.for_user(client, world.executive)
    from_replica = ApiClient.for_user(replica_app.test_client(), world.executive)
    for url in (f"/api/v1/reports/fill-rates?{PERIOD}&group_by=week",
                f"/api/v1/reports/fill-rates?{PERIOD}&group_by=department&format=csv",
                f"/api/v1/reports/breaches?{PERIOD}&limit=2",
                f"/api/v1/reports/breaches?{PERIOD}&format=csv",
                "/api/v1/reports/agency-return?week=2026-W13"):
        expected = from_primary.get(url)
        with statements(replica_app) as seen:
            got = from_replica.get(url)
        assert got.status_code == expected.status_code == 200, (url, got.get_data(as_text=True))
        assert got.get_data() == expected.get_data(), url
        assert_read_from_replica(seen, url)


def _login(test_client, user):
    assert test_client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return test_client


def test_report_pages_charts_and_dashboard_read_from_the_replica(world, client, replica_app):
    fx.build(world)
    from_primary = _login(client, world.executive)
    from_replica = _login(replica_app.test_client(), world.executive)
    for url in (f"/reports/fill-rates?{PERIOD}&group_by=site", f"/reports/breaches?{PERIOD}",
                f"/reports/fill-rates?{PERIOD}&group_by=week&format=csv", "/agency-return?week=2026-W13",
                "/agency-return.csv?week=2026-W13"):
        expected = from_primary.get(url)
        with statements(replica_app) as seen:
            got = from_replica.get(url)
        assert got.status_code == expected.status_code == 200, url
        if got.mimetype == "text/html":
            assert tables(got.get_data(as_text=True)) == tables(expected.get_data(as_text=True)), url
            assert 'type="application/json" id="chart-' in got.get_data(as_text=True) or "agency-return" in url
        else:
            assert got.get_data() == expected.get_data(), url
        assert_read_from_replica(seen, url)
    with statements(replica_app) as seen:
        home = from_replica.get("/")
    assert "app-dashboard__figure" in home.get_data(as_text=True)
    assert seen["reports"], "the executive dashboard's figures come from the replica"


def test_a_write_through_the_reports_engine_is_refused(world, replica_app):
    with replica_app.app_context():
        with pytest.raises(DBAPIError) as refused:
            reports_session().execute(text("UPDATE sites SET name = 'Renamed'"))
    assert isinstance(refused.value.orig, psycopg.errors.ReadOnlySqlTransaction)
    assert db.session.get(type(world.site_a), world.site_a.id).name != "Renamed"


def test_a_report_request_leaves_no_transaction_open_on_the_replica(world, api, replica_app, replica_url):
    fx.build(world)
    response = ApiClient.for_user(replica_app.test_client(), world.executive).get(
        f"/api/v1/reports/fill-rates?{PERIOD}")
    assert response.status_code == 200
    role = replica_url.split("//", 1)[1].split("@", 1)[0]
    with psycopg.connect(replica_url) as conn:
        states = conn.execute("SELECT state FROM pg_stat_activity WHERE usename = %s AND pid <> pg_backend_pid()",
                              (role,)).fetchall()
    assert states and all(state == "idle" for (state,) in states)
