"""The £100/h line (``CHIEF_EXECUTIVE_ABOVE_RATE``): above it an agency shift needs the chief
executive whatever the grade's cap, and its approval is an ``agency_over_ceo_rate`` breach in the
breach report (API, page, chart, CSV) and the weekly agency return.

The consultant's agency cap on the cascade's card is £150/h, so £140/h is within the cap.
"""
import csv
import io
import json
from decimal import Decimal

import pytest

from bankapp.audit.models import Breach
from bankapp.cascade.models import AgencyOffer
from bankapp.extensions import db
from bankapp.shifts.models import Booking
from tests.cascade.conftest import offer_body
from tests.factories import PASSWORD


def _accepted(world, api, shift, charge):
    offer = api(world.agency_user1).post(f"/api/v1/shifts/{shift.id}/agency-offers",
                                         json=offer_body(charge_rate=charge, grade="CONS")).get_json()
    resp = api(world.coordinator_a).post(f"/api/v1/agency-offers/{offer['id']}/accept")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_a_consultant_at_140_within_the_cap_waits_for_the_chief_executive(world, api, released):
    shift = released(grade="CONS")
    offer = _accepted(world, api, shift, "140.00")
    assert (offer["status"], offer["required_role"], offer["over_cap_amount"]) == (
        "pending_executive_approval", "chief_executive", "0.00")
    assert db.session.execute(db.select(Booking)).first() is None
    url = f"/api/v1/agency-offers/{offer['id']}/approve"
    refused = api(world.executive).post(url, json={"reason": "No consultant on the bank"})
    assert refused.status_code == 403 and "chief executive" in refused.get_json()["detail"]
    approved = api(world.chief_executive).post(url, json={"reason": "No consultant on the bank"})
    assert approved.status_code == 200, approved.get_json()
    assert (approved.get_json()["status"], approved.get_json()["required_role"]) == ("accepted", None)
    breach = db.session.execute(db.select(Breach)).scalar_one()
    assert (breach.type, breach.amount_over, breach.approved_by_id, breach.shift_id, breach.source_id) == (
        "agency_over_ceo_rate", Decimal("40.00"), world.chief_executive.id, shift.id, offer["id"])


def test_exactly_100_within_the_cap_on_framework_is_booked_at_once(world, api, released):
    shift = released(grade="CONS")
    offer = _accepted(world, api, shift, "100.00")
    assert (offer["status"], offer["required_role"]) == ("accepted", None)
    assert db.session.execute(db.select(Booking.charge_rate)).scalar_one() == Decimal("100.00")
    assert db.session.execute(db.select(Breach)).first() is None


def test_one_penny_over_100_within_the_cap_is_not_booked_without_the_chief_executive(world, api, released):
    shift = released(grade="CONS")
    offer = _accepted(world, api, shift, "100.01")
    assert (offer["status"], offer["required_role"]) == ("pending_executive_approval", "chief_executive")
    listed = api(world.chief_executive).get("/api/v1/agency-offers", query_string={"status":
                                                                                   "pending_executive_approval"})
    assert [(o["id"], o["required_role"]) for o in listed.get_json()["items"]] == [(offer["id"], "chief_executive")]


def test_the_line_follows_its_setting(world, api, released, app, monkeypatch):
    monkeypatch.setitem(app.config, "CHIEF_EXECUTIVE_ABOVE_RATE", "145.00")
    assert _accepted(world, api, released(grade="CONS"), "140.00")["status"] == "accepted"


def test_an_offer_below_the_line_awaiting_an_executive_says_so(world, api, released):
    offer = _accepted(world, api, released(), "95.00")  # ST3 cap £80
    assert (offer["status"], offer["required_role"]) == ("pending_executive_approval", "executive")


@pytest.fixture
def ceo_breach(world, api, released):
    shift = released(grade="CONS")
    offer = _accepted(world, api, shift, "140.00")
    resp = api(world.chief_executive).post(f"/api/v1/agency-offers/{offer['id']}/approve",
                                           json={"reason": "No consultant on the bank"})
    assert resp.status_code == 200
    return shift


PERIOD = "from=2026-11-01&to=2026-11-08"


def test_the_breach_report_counts_it_as_its_own_type(world, api, ceo_breach):
    body = api(world.executive).get(f"/api/v1/reports/breaches?{PERIOD}").get_json()
    assert body["totals"]["agency_over_ceo_rate"] == 1 and body["total"] == 1
    item = body["items"][0]
    assert (item["type"], item["amount_over"], item["approved_by"], item["shift_id"]) == (
        "agency_over_ceo_rate", "40.00", world.chief_executive.name, ceo_breach.id)
    only = api(world.executive).get(f"/api/v1/reports/breaches?{PERIOD}&type=agency_over_ceo_rate").get_json()
    assert only["total"] == 1


def test_the_breach_page_chart_and_csv_show_it(world, client, ceo_breach):
    assert client.post("/login", data={"email": world.executive.email, "password": PASSWORD}).status_code == 302
    html = client.get(f"/reports/breaches?{PERIOD}").get_data(as_text=True)
    assert "Agency above the chief executive&#39;s rate" in html or "Agency above the chief executive's rate" in html
    start = html.index('id="chart-breach-types-data">') + len('id="chart-breach-types-data">')
    chart = json.loads(html[start:html.index("</script>", start)])
    counts = dict(zip(chart["labels"], chart["datasets"][0]["data"], strict=True))
    assert counts["Agency above the chief executive's rate"] == 1
    rows = list(csv.DictReader(io.StringIO(client.get(f"/reports/breaches?{PERIOD}&format=csv")
                                           .get_data(as_text=True))))
    assert [(r["type"], r["amount_over"]) for r in rows] == [("agency_over_ceo_rate", "40.00")]


def test_the_weekly_return_lists_the_shift_as_above_the_ceo_rate(world, api, ceo_breach):
    resp = api(world.executive).get("/api/v1/reports/agency-return?week=2026-W45")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    shift_row = next(r for r in rows if r["row_type"] == "shift")
    assert (shift_row["shift_id"], shift_row["charge_rate"], shift_row["cap"], shift_row["above_cap"],
            shift_row["off_framework"], shift_row["above_ceo_rate"], shift_row["approved_by"]) == (
        str(ceo_breach.id), "140.00", "150.00", "0", "0", "1", world.chief_executive.name)
    total = rows[-1]
    assert (total["row_type"], total["shifts"], total["above_ceo_rate"], total["total_charge"]) == (
        "trust_total", "1", "1", "1680.00")


def test_the_executive_page_hides_approve_above_the_line(world, client, api, released):
    offer = _accepted(world, api, released(grade="CONS"), "140.00")
    assert client.post("/login", data={"email": world.executive.email, "password": PASSWORD}).status_code == 302
    html = client.get(f"/agency-approvals/{offer['id']}").get_data(as_text=True)
    assert "only the chief executive may approve" in html and 'value="approve"' not in html
    listing = client.get("/agency-approvals").get_data(as_text=True)
    assert "Above £100.00/h: chief executive only" in listing
    assert db.session.get(AgencyOffer, offer["id"]).status == "pending_executive_approval"
