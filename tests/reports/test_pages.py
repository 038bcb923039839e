"""Report pages and the executive dashboard, as a signed-in person sees them."""
import csv
import io
import json
from datetime import timedelta

import pytest
import time_machine

from bankapp.audit.services import record_breach
from bankapp.extensions import db
from tests.factories import PASSWORD, london, make_booking, make_shift

from . import fixtures as fx
from .htmltables import tables

PERIOD = f"from={fx.FROM}&to={fx.TO}"


@pytest.fixture
def login(client):
    def _login(user):
        resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert resp.status_code == 302
        return client

    return _login


def test_fill_rate_page_table_equals_the_csv(world, login):
    fx.build(world)
    client = login(world.executive)
    page = client.get(f"/reports/fill-rates?{PERIOD}&group_by=week")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    table = tables(html)["Fill rate, spend and hours by week"]
    rows = list(csv.DictReader(io.StringIO(client.get(f"/reports/fill-rates?{PERIOD}&group_by=week&format=csv")
                                           .get_data(as_text=True))))
    assert len(table) == len(rows) == 3
    for cells, row in zip(table, rows, strict=True):
        assert cells[0] == row["label"]
        assert cells[1:5] == [row["posted"], row["filled_bank"], row["filled_agency"], row["unfilled"]]
        assert cells[5] == f"{float(row['fill_rate']) * 100:.2f}%"
        assert cells[6].replace("£", "").replace(",", "") == row["spend_bank"]
        assert cells[7].replace("£", "").replace(",", "") == row["spend_agency"]
        assert cells[8] == row["hours_delivered"]
    assert 'id="total-fill-rate">62.5%' in html
    assert 'canvas data-chart="chart-fill-trend"' in html
    assert 'type="application/json" id="chart-fill-trend-data"' in html
    assert "format=csv" in html
    assert "<script>" not in html  # no inline scripts: a strict CSP


def test_fill_rate_trend_table_has_a_column_per_site(world, login):
    fx.build(world)
    html = login(world.executive).get(f"/reports/fill-rates?{PERIOD}").get_data(as_text=True)
    trend = tables(html)["Fill rate by week, per site"]
    # W12: Alpha 1 of 2, Beta nothing posted. W13: Alpha 1 of 1, Beta 1 of 2. W14: Alpha 1 of 1, Beta 1 of 2.
    assert trend == [["Week 12, 2026 (from Mon 16 Mar)", "50.00%", "–"],
                     ["Week 13, 2026 (from Mon 23 Mar)", "100.00%", "50.00%"],
                     ["Week 14, 2026 (from Mon 30 Mar)", "100.00%", "50.00%"]]


def test_breach_page_lists_every_breach_with_who_and_why(world, login):
    fx.build(world)
    html = login(world.executive).get(f"/reports/breaches?{PERIOD}").get_data(as_text=True)
    found = tables(html)
    assert [r[1] for r in found["Breaches by type"]] == ["3", "1", "1", "0", "1", "0"]
    rows = found["Every breach, newest first"]
    assert len(rows) == 6
    approved = next(r for r in rows if "Winter pressures" in r[-1])
    assert approved[6] == "Executive" and approved[5] == "£80.00"
    rejected = next(r for r in rows if "Rejected" in r[2])
    assert rejected[6] == "Rejected by Approver B"
    assert 'id="breach-total">6<' in html


def test_coordinator_page_shows_only_their_site(world, login):
    fx.build(world)
    html = login(world.coordinator_a).get(f"/reports/breaches?{PERIOD}").get_data(as_text=True)
    rows = tables(html)["Every breach, newest first"]
    assert len(rows) == 3 and all("Alpha Hospital" in r[3] for r in rows)
    assert "Beta Hospital" not in html  # not even in the site filter


def test_bad_filters_show_errors_next_to_the_fields(world, login):
    resp = login(world.executive).get("/reports/fill-rates?from=2026-04-02&to=2026-04-01&group_by=ward")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "nhsuk-error-summary" in html
    assert 'id="from-error"' in html and 'id="group_by-error"' in html


def test_unknown_site_on_a_page_is_an_error_on_the_field(world, login):
    resp = login(world.executive).get("/reports/breaches?site_id=999")
    assert resp.status_code == 422
    assert 'id="site_id-error"' in resp.get_data(as_text=True)


def test_page_csv_download(world, login):
    fx.build(world)
    resp = login(world.executive).get(f"/reports/breaches?{PERIOD}&format=csv")
    assert resp.mimetype == "text/csv"
    assert len(list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))) == 6


def test_doctor_gets_403_on_report_pages(world, login):
    client = login(world.doctor)
    assert client.get("/reports/fill-rates").status_code == 403
    assert client.get("/reports/breaches").status_code == 403


def test_reports_are_in_the_navigation_of_leadership_only(world, login):
    assert 'href="/reports/fill-rates"' in login(world.executive).get("/").get_data(as_text=True)


def test_doctor_has_no_reports_link(world, login):
    assert 'href="/reports/fill-rates"' not in login(world.doctor).get("/").get_data(as_text=True)


def _this_week(world):
    """Now: Wed 1 Apr 2026 12:00 BST. Week of 30 Mar: 3 worked (ended), 2 of them filled; one urgent unfilled
    shift ahead, not counted yet."""
    s = {}
    for n, (start, booked) in enumerate((("2026-03-30T08:00", True), ("2026-03-31T08:00", True),
                                         ("2026-04-02T08:00", False)), start=1):
        s[n] = make_shift(department=world.dept_a, grade=world.grades["ST3"], start=start,
                          end=london(start) + timedelta(hours=12), posted_by=world.coordinator_a)
        if booked:
            make_booking(s[n], world.doctor)
    # Ended this morning with nobody on it: counted, unfilled.
    make_shift(department=world.dept_a, grade=world.grades["ST3"], start="2026-03-31T20:00",
               end="2026-04-01T08:00", posted_by=world.coordinator_a, status="released_tier2")
    # Starts in 30 hours: not urgent. Cancelled: not counted.
    make_shift(department=world.dept_b, grade=world.grades["ST3"], start="2026-04-06T18:00",
               end="2026-04-07T06:00", posted_by=world.coordinator_b)
    make_shift(department=world.dept_b, grade=world.grades["ST3"], start="2026-04-01T20:00",
               end="2026-04-02T08:00", posted_by=world.coordinator_b, status="cancelled")
    db.session.commit()
    return s


def test_executive_home_is_the_dashboard(world, login):
    _this_week(world)
    with time_machine.travel("2026-04-01T12:00:00+01:00", tick=False):
        client = login(world.executive)  # a session signed "in the future" would not load
        html = client.get("/").get_data(as_text=True)
    assert "This week at a glance" in html
    assert "66.7%" in html and "2 of the 3 shifts worked so far this week were filled" in html
    dash = html[html.index('id="dash-urgent"'):]
    assert '<p class="nhsuk-heading-xl nhsuk-u-margin-bottom-1 app-dashboard__figure">1</p>' in dash[:800]
    assert "/reports/breaches?from=2026-03-30&amp;to=2026-04-05" in html
    assert html.count("This week at a glance") == 1


def test_chief_executive_sees_the_dashboard_once(world, login):
    html = login(world.chief_executive).get("/").get_data(as_text=True)
    assert html.count("This week at a glance") == 1


def test_doctor_home_has_no_dashboard(world, login):
    assert "This week at a glance" not in login(world.doctor).get("/").get_data(as_text=True)


def test_breach_rows_link_to_the_shift_for_coordinators(world, login):
    month = fx.build(world)
    html = login(world.coordinator_a).get(f"/reports/breaches?{PERIOD}").get_data(as_text=True)
    assert f'href="/coordinator/shifts/{month[1].id}"' in html


def test_executive_breach_rows_name_the_shift_without_a_link_they_cannot_open(world, login):
    month = fx.build(world)
    html = login(world.executive).get(f"/reports/breaches?{PERIOD}").get_data(as_text=True)
    assert f"Shift {month[1].id}, Mon 16 Mar 2026 08:00" in html
    assert f'href="/coordinator/shifts/{month[1].id}"' not in html


def test_breach_why_column_gives_times_in_words_even_for_older_rows(world, login):
    """A late timesheet's breach written before reasons were worded kept the raw ISO time."""
    record_breach("late_timesheet", site_id=world.site_a.id, approved_by=world.approver_a,
                  reason="Approved after the pay-run cut-off of 2026-03-30T09:00:00+01:00.",
                  at=london("2026-03-31T10:00"))
    db.session.commit()
    html = login(world.executive).get(f"/reports/breaches?{PERIOD}").get_data(as_text=True)
    why = tables(html)["Every breach, newest first"][0][-1]
    assert why == "Approved after the pay-run cut-off of Mon 30 Mar 2026 09:00."
    assert "2026-03-30T09:00:00+01:00" not in html


@pytest.mark.parametrize("page", ["fill-rates", "spend", "breaches", "forecast"])
def test_report_filters_are_folded_until_a_filter_is_applied(world, login, page):
    client = login(world.executive)
    plain = client.get(f"/reports/{page}").get_data(as_text=True)
    assert '<details class="nhsuk-details" id="report-filters" >' in plain
    filtered = client.get(f"/reports/{page}?site_id={world.site_a.id}").get_data(as_text=True)
    assert '<details class="nhsuk-details" id="report-filters" open>' in filtered


def test_trend_lines_differ_by_marker_and_dash_as_well_as_colour(world, login):
    """Southend's line must not vanish under Broomfield's when their fill rates are the same."""
    fx.build(world)
    html = login(world.executive).get(f"/reports/fill-rates?{PERIOD}").get_data(as_text=True)
    spec = json.loads(html.split('id="chart-fill-trend-data">')[1].split("</script>")[0])
    styles = [(d["point_style"], tuple(d["dash"])) for d in spec["datasets"]]
    assert len(styles) == 2 and len(set(styles)) == 2
    assert len({s for s, _ in styles}) == 2 and len({d for _, d in styles}) == 2
