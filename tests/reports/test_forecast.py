"""The unfilled-shift forecast through the API, the page, the home page and the back-test, on history
built by hand. The clock is pinned at Wed 25 Nov 2026 10:00 (GMT).

History (ten Mondays back, 21 Sep to 23 Nov, each 08:00, posted 20 days ahead):
- Alpha, Emergency Department: three shifts a Monday; one never booked, two booked 3 days before the start.
  So of the shifts still open 10 or 5 days ahead, a third went unfilled; of those open 2 days or 12 hours
  ahead, all did.
- Beta, Acute Medicine: one shift a Monday, never booked.
- Left out: a Monday 53 weeks ago, never booked; a cancelled Monday shift.
"""
import csv
import io
from datetime import timedelta

import pytest

from bankapp.extensions import db
from bankapp.reports import forecast
from bankapp.timeutil import now_utc
from tests.factories import PASSWORD, london, make_booking, make_shift

from .htmltables import tables

FORECAST = "/api/v1/reports/forecast"
MONDAYS = [london("2026-11-23T08:00") - timedelta(weeks=k) for k in range(10)]


def _shift(world, department, start, *, booked_ahead=None, created_at=None, **kw):
    posted = created_at or start - timedelta(days=20)
    shift = make_shift(department=department, grade=world.grades["ST3"], start=start,
                       end=start + timedelta(hours=12), posted_by=world.coordinator_a, created_at=posted, **kw)
    if booked_ahead is not None:
        make_booking(shift, world.doctor, status="completed", created_at=start - booked_ahead)
    return shift


@pytest.fixture
def history(world):
    for monday in MONDAYS:
        _shift(world, world.dept_a, monday)
        _shift(world, world.dept_a, monday, booked_ahead=timedelta(days=3))
        _shift(world, world.dept_a, monday + timedelta(hours=1), booked_ahead=timedelta(days=3))
        _shift(world, world.dept_b, monday)
    _shift(world, world.dept_a, london("2025-11-24T08:00"))
    _shift(world, world.dept_a, MONDAYS[0], status="cancelled")
    db.session.commit()


@pytest.fixture
def coming(world, history):
    """Mon 30 Nov (4.9 days ahead): four open Alpha shifts and one booked. Tue 1 Dec: one open Alpha shift.
    Sat 28 Nov (2.9 days ahead): one open Beta shift."""
    monday = london("2026-11-30T08:00")
    for n in range(4):
        _shift(world, world.dept_a, monday + timedelta(minutes=n), created_at=now_utc() - timedelta(days=1))
    booked = _shift(world, world.dept_a, monday, created_at=now_utc() - timedelta(days=1))
    make_booking(booked, world.doctor, created_at=now_utc() - timedelta(hours=2))
    _shift(world, world.dept_a, london("2026-12-01T08:00"), created_at=now_utc() - timedelta(days=1))
    _shift(world, world.dept_b, london("2026-11-28T08:00"), created_at=now_utc() - timedelta(days=1))
    db.session.commit()


def _cell(body, site_id, day):
    return next(i for i in body["items"] if i["site_id"] == site_id and i["date"] == day)


def _figures(item):
    return (item["posted"], item["open"], item["expected_unfilled"], item["low"], item["high"])


def test_forecast_blends_department_site_and_trust_history(world, coming, api):
    body = api(world.executive).get(f"{FORECAST}?days=7").json
    assert (body["from"], body["to"], body["days"]) == ("2026-11-25", "2026-12-01", 7)
    assert len(body["items"]) == 2 * 7
    # Monday, 3-7 days ahead (history at 5 days): Alpha ED 10 unfilled of 30 open, the same for Alpha;
    # the trust 20 of 40 = 0.5; Alpha (10 + 10 × 0.5) / 40 = 0.375; ED (10 + 10 × 0.375) / 40 = 0.34375.
    # 4 open × 0.34375 = 1.375; spread 1.2816 × √(4 × 0.34375 × 0.65625) = 1.217: 0 to 3.
    assert _figures(_cell(body, world.site_a.id, "2026-11-30")) == (5, 4, 1.4, 0, 3)
    # Tuesday: no Tuesday history anywhere, so the trust's share for the band: 0.5.
    assert _figures(_cell(body, world.site_a.id, "2026-12-01")) == (1, 1, 0.5, 0, 1)
    # Saturday, 1-3 days ahead (history at 2 days): every shift open that late went unfilled.
    assert _figures(_cell(body, world.site_b.id, "2026-11-28")) == (1, 1, 1.0, 1, 1)
    assert _figures(_cell(body, world.site_b.id, "2026-11-25")) == (0, 0, 0.0, 0, 0)
    saturday = next(t for t in body["totals"] if t["date"] == "2026-11-28")
    assert (saturday["posted"], saturday["expected_unfilled"]) == (1, 1.0)
    assert (body["overall"]["posted"], body["overall"]["open"], body["overall"]["expected_unfilled"]) == (7, 6, 2.9)


def test_coordinators_and_approvers_forecast_their_own_sites_with_the_trust_history(world, coming, api):
    everyone = api(world.executive).get(f"{FORECAST}?days=7").json
    for user in (world.coordinator_b, world.approver_b):
        body = api(user).get(f"{FORECAST}?days=7").json
        assert {i["site_id"] for i in body["items"]} == {world.site_b.id}
        assert _cell(body, world.site_b.id, "2026-11-28") == _cell(everyone, world.site_b.id, "2026-11-28")
    assert api(world.coordinator_b).get(f"{FORECAST}?site_id={world.site_a.id}").json["items"] == []


def test_forecast_for_one_site_and_default_fourteen_days(world, coming, api):
    body = api(world.admin).get(f"{FORECAST}?site_id={world.site_a.id}").json
    assert body["days"] == 14 and {i["site_id"] for i in body["items"]} == {world.site_a.id}
    assert len(body["items"]) == 14 and body["to"] == "2026-12-08"
    assert body["backtest"]["origins"] >= 1


@pytest.mark.parametrize("days", ["0", "29", "two"])
def test_days_out_of_range_are_422_on_the_field(world, api, days):
    resp = api(world.executive).get(f"{FORECAST}?days={days}")
    assert resp.status_code == 422 and "days" in resp.json["errors"]


def test_doctor_may_not_read_the_forecast(world, api):
    assert api(world.doctor).get(FORECAST).status_code == 403


def test_forecast_csv_equals_the_json(world, coming, api):
    client = api(world.executive)
    body = client.get(f"{FORECAST}?days=7").json
    resp = client.get(f"{FORECAST}?days=7&format=csv")
    assert resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert list(rows[0]) == ["site_id", "site", "date", "posted", "open", "expected_unfilled", "low", "high"]
    assert len(rows) == len(body["items"])
    for row, item in zip(rows, body["items"], strict=True):
        assert (int(row["site_id"]), row["site"], row["date"]) == (item["site_id"], item["site_name"], item["date"])
        assert (int(row["posted"]), int(row["open"]), float(row["expected_unfilled"]), int(row["low"]),
                int(row["high"])) == _figures(item)


def _login(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_forecast_page_has_chart_tables_method_and_back_tested_error(world, coming, client):
    html = _login(client, world.executive).get("/reports/forecast?days=7").get_data(as_text=True)
    found = tables(html)
    per_day = found["Shifts expected to go unfilled per day (likely range)"]
    monday = next(r for r in per_day if r[0] == "Mon 30 Nov")
    assert monday == ["Mon 30 Nov", "1.4 (0 to 3)", "0.0 (0 to 0)", "1.4 (0 to 3)"]
    every = found["Posted, open and expected unfilled shifts per site and day"]
    assert ["Alpha Hospital", "Mon 30 Nov", "5", "4", "1.4", "0", "3"] in every
    assert 'data-chart="chart-forecast"' in html
    assert "How this forecast is made" in html
    assert f"out by <strong>{forecast.BENCH_BACKTEST['mean_absolute_error']}" in html
    assert "format=csv" in html and "days=7" in html


def test_executive_home_shows_what_is_likely_to_go_unfilled_this_week(world, coming, client):
    html = _login(client, world.executive).get("/").get_data(as_text=True)
    card = html[html.index('id="dash-likely-unfilled"'):][:1500]
    # Wed to Sun: only Saturday's Beta shift, certain to go unfilled on the history.
    assert "Likely to go unfilled this week" in card
    assert '<p class="nhsuk-heading-xl nhsuk-u-margin-bottom-1 app-dashboard__figure">1.0</p>' in card
    assert "(likely 1 to 1), of 1 still open between now and Sunday" in card
    assert 'href="/reports/forecast?days=5"' in card


def test_a_forecast_made_in_the_past_counts_what_was_booked_by_then(world, history):
    """From Sun 15 Nov 10:00, three days: Monday 16 Nov's booked Alpha shifts were booked on the Friday, so
    only its never-booked shift (and Beta's) were open; history before then says such late shifts go
    unfilled, and they did."""
    found = forecast.backtest([london("2026-11-15T10:00")], days=3)
    assert (found["origins"], found["days"], found["cells"]) == (1, 3, 2 * 3)
    assert found["mean_absolute_error"] == pytest.approx(0.0)
    assert found["mean_unfilled"] == pytest.approx(2 / 6)
    assert found["range_held"] == 1.0


def test_weekly_origins_end_a_forecast_length_before_now():
    now = london("2026-11-25T10:00")
    origins = forecast.weekly_origins(now, weeks=3, days=14)
    assert origins == [london("2026-10-28T10:00"), london("2026-11-04T10:00"), london("2026-11-11T10:00")]
