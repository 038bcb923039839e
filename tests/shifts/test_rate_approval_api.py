"""The rate violation workflow end to end through the API.

ST3 on the test card pays 60 £/h on a weekday day, so an 8-hour weekday shift
costs 480.00 by the card: 70 £/h (560.00) is 16.67% over (an approver decides),
80 £/h (640.00) is 33.33% over (an executive must).
"""
from datetime import datetime, time, timedelta

from bankapp.audit.models import AuditEvent, Breach
from bankapp.events import subscribe
from bankapp.extensions import db
from bankapp.rates.models import RateViolation
from bankapp.shifts.models import Shift
from bankapp.timeutil import LONDON, is_bank_holiday, london_date, now_utc
from tests.rates.cards import make_card


def _weekday(days_ahead=21):
    day = london_date(now_utc()) + timedelta(days=days_ahead)
    while day.weekday() >= 5 or is_bank_holiday(day):
        day += timedelta(days=1)
    return day


def _post(api, world, rate, *, coordinator=None, dept=None, reason="Nobody claimed it at card rate"):
    day = _weekday()
    start = datetime.combine(day, time(9), tzinfo=LONDON)
    body = {"department_id": (dept or world.dept_a).id, "grade": "ST3", "start": start.isoformat(),
            "end": (start + timedelta(hours=8)).isoformat(), "reason": reason}
    if rate is not None:
        body["hourly_rate"] = rate
    resp = api(coordinator or world.coordinator_a).post("/api/v1/shifts", json=body)
    assert resp.status_code == 201, resp.json
    return resp.json


def _setup(world):
    make_card(world.admin)
    db.session.commit()


def test_flat_rate_within_card_opens_at_once(world, api):
    _setup(world)
    shift = _post(api, world, "60.00")
    assert shift["status"] == "open" and shift["rate_violation"] is None


def test_approver_approves_a_violation_up_to_twenty_percent(world, api):
    _setup(world)
    opened = []
    subscribe("shift.opened")(lambda shift, actor: opened.append(shift.id))
    shift = _post(api, world, "70.00")
    assert shift["status"] == "pending_rate_approval"
    v = shift["rate_violation"]
    assert v["percent_over"] == "16.67" and v["required_role"] == "approver" and v["status"] == "pending"

    queue = api(world.approver_a).get("/api/v1/rate-violations", query_string={"status": "pending"}).json
    item = queue["items"][0]
    assert (item["flat_total"], item["card_total"], item["reason"]) == ("560.00", "480.00",
                                                                       "Nobody claimed it at card rate")
    assert item["requested_by_id"] == world.coordinator_a.id and item["site_id"] == world.site_a.id

    resp = api(world.approver_a).post(f"/api/v1/rate-violations/{v['id']}/approve", json={"note": "ED short"})
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "approved" and resp.json["decided_by_id"] == world.approver_a.id
    assert db.session.get(Shift, shift["id"]).status == "open"
    assert shift["id"] in opened
    breach = db.session.execute(db.select(Breach)).scalar_one()
    assert (breach.type, breach.site_id, breach.shift_id, str(breach.amount_over), breach.approved_by_id,
            breach.source_type, breach.source_id) == ("rate_violation", world.site_a.id, shift["id"], "80.00",
                                                      world.approver_a.id, "rate_violation", v["id"])
    assert db.session.execute(db.select(AuditEvent).filter_by(action="rate_violation.approved")).scalar_one()


def test_approver_gets_403_above_twenty_percent_and_an_executive_approves(world, api):
    _setup(world)
    v = _post(api, world, "80.00")["rate_violation"]
    assert v["percent_over"] == "33.33" and v["required_role"] == "executive"
    refused = api(world.approver_a).post(f"/api/v1/rate-violations/{v['id']}/approve", json={"note": "ok"})
    assert refused.status_code == 403
    assert "executive" in refused.json["detail"]
    queue = api(world.approver_a).get("/api/v1/rate-violations", query_string={"status": "pending"}).json
    assert [i["id"] for i in queue["items"]] == [v["id"]]  # listed, but not theirs to decide
    ok = api(world.executive).post(f"/api/v1/rate-violations/{v['id']}/approve", json={"note": "Patient safety"})
    assert ok.status_code == 200 and ok.json["status"] == "approved"


def test_the_threshold_is_a_setting(world, api, app, monkeypatch):
    _setup(world)
    monkeypatch.setitem(app.config, "RATE_VIOLATION_APPROVER_MAX_PERCENT", "40")
    assert _post(api, world, "80.00")["rate_violation"]["required_role"] == "approver"


def test_an_approver_refused_just_over_the_threshold_is_told_it_is_more(world, api, app, monkeypatch):
    _setup(world)
    monkeypatch.setitem(app.config, "RATE_VIOLATION_APPROVER_MAX_PERCENT", "2.03")
    v = _post(api, world, "61.22")["rate_violation"]  # 489.76 against 480.00: 2.0333…%, shown as 2.03
    assert v["required_role"] == "executive" and v["percent_over"] == "2.03"
    resp = api(world.approver_a).post(f"/api/v1/rate-violations/{v['id']}/approve", json={"note": "fine"})
    assert resp.status_code == 403
    assert "more than 2.03% over the card" in resp.get_json()["detail"]


def test_nobody_approves_their_own_violation(world, api, factory):
    _setup(world)
    both = factory.user(("coordinator", "approver"), sites=[world.site_a], name="Coordinator-approver")
    db.session.commit()
    v = _post(api, world, "70.00", coordinator=both)["rate_violation"]
    resp = api(both).post(f"/api/v1/rate-violations/{v['id']}/approve", json={"note": "mine"})
    assert resp.status_code == 403 and [r["code"] for r in resp.get_json()["reasons"]] == ["own_request"]
    assert db.session.get(RateViolation, v["id"]).status == "pending"


def test_approver_of_another_site_does_not_find_it(world, api):
    _setup(world)
    v = _post(api, world, "70.00")["rate_violation"]
    resp = api(world.approver_b).post(f"/api/v1/rate-violations/{v['id']}/approve", json={"note": "x"})
    assert resp.status_code == 404
    assert api(world.approver_b).get("/api/v1/rate-violations").json["items"] == []


def test_other_roles_cannot_decide(world, api):
    _setup(world)
    v = _post(api, world, "70.00")["rate_violation"]
    for user in (world.coordinator_a, world.doctor, world.admin):
        assert api(user).post(f"/api/v1/rate-violations/{v['id']}/approve", json={}).status_code == 403


def test_a_decided_violation_gets_409(world, api):
    _setup(world)
    v = _post(api, world, "70.00")["rate_violation"]
    assert api(world.approver_a).post(f"/api/v1/rate-violations/{v['id']}/approve", json={}).status_code == 200
    again = api(world.executive).post(f"/api/v1/rate-violations/{v['id']}/reject", json={"note": "too late"})
    assert again.status_code == 409
    assert "already been approved" in again.json["detail"]


def test_reject_needs_a_note(world, api):
    _setup(world)
    v = _post(api, world, "70.00")["rate_violation"]
    resp = api(world.approver_a).post(f"/api/v1/rate-violations/{v['id']}/reject", json={"note": "  "})
    assert resp.status_code == 422 and "note" in resp.json["errors"]


def test_rejected_rate_returns_to_the_coordinator_who_revises_to_card_rates(world, api):
    _setup(world)
    shift = _post(api, world, "70.00")
    v = shift["rate_violation"]
    rejected = api(world.approver_a).post(f"/api/v1/rate-violations/{v['id']}/reject",
                                          json={"note": "Try the card rate first"})
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    assert db.session.get(Shift, shift["id"]).status == "pending_rate_approval"
    assert not db.session.execute(db.select(Breach)).first()

    assert api(world.coordinator_b).post(f"/api/v1/rate-violations/{v['id']}/revise",
                                         json={"hourly_rate": None}).status_code == 404
    resp = api(world.coordinator_a).post(f"/api/v1/rate-violations/{v['id']}/revise", json={"hourly_rate": None})
    assert resp.status_code == 200, resp.json
    assert resp.json == {"shift": {"id": shift["id"], "status": "open", "hourly_rate": None}, "rate_violation": None}
    again = api(world.coordinator_a).post(f"/api/v1/rate-violations/{v['id']}/revise", json={"hourly_rate": None})
    assert again.status_code == 409


def test_revised_rate_still_over_the_card_is_a_new_pending_violation(world, api):
    _setup(world)
    shift = _post(api, world, "80.00")
    v = shift["rate_violation"]
    api(world.executive).post(f"/api/v1/rate-violations/{v['id']}/reject", json={"note": "Too high"})
    no_reason = api(world.coordinator_a).post(f"/api/v1/rate-violations/{v['id']}/revise",
                                              json={"hourly_rate": "66.00"})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    resp = api(world.coordinator_a).post(f"/api/v1/rate-violations/{v['id']}/revise",
                                         json={"hourly_rate": "66.00", "reason": "Still nobody at card rate"})
    assert resp.status_code == 200, resp.json
    new = resp.json["rate_violation"]
    assert resp.json["shift"]["status"] == "pending_rate_approval" and resp.json["shift"]["hourly_rate"] == "66.00"
    assert (new["status"], new["percent_over"], new["required_role"]) == ("pending", "10.00", "approver")
    assert api(world.approver_a).post(f"/api/v1/rate-violations/{new['id']}/approve", json={}).status_code == 200
    shown = api(world.coordinator_a).get(f"/api/v1/shifts/{shift['id']}").json
    assert shown["status"] == "open" and shown["pay_estimate"]["total"] == "528.00"


def test_revise_within_card_opens_and_a_pending_violation_cannot_be_revised(world, api):
    _setup(world)
    v = _post(api, world, "70.00")["rate_violation"]
    pending = api(world.coordinator_a).post(f"/api/v1/rate-violations/{v['id']}/revise",
                                            json={"hourly_rate": "55.00"})
    assert pending.status_code == 409
    api(world.approver_a).post(f"/api/v1/rate-violations/{v['id']}/reject", json={"note": "No"})
    bad = api(world.coordinator_a).post(f"/api/v1/rate-violations/{v['id']}/revise", json={"hourly_rate": "0"})
    assert bad.status_code == 422 and "hourly_rate" in bad.json["errors"]
    ok = api(world.coordinator_a).post(f"/api/v1/rate-violations/{v['id']}/revise", json={"hourly_rate": "55.00"})
    assert ok.json["shift"]["status"] == "open" and ok.json["rate_violation"] is None


def test_list_filters_by_status_and_site_and_is_scoped(world, api):
    _setup(world)
    a = _post(api, world, "70.00")["rate_violation"]
    b = _post(api, world, "80.00", coordinator=world.coordinator_b, dept=world.dept_b)["rate_violation"]
    api(world.approver_a).post(f"/api/v1/rate-violations/{a['id']}/approve", json={})
    exec_client = api(world.executive)
    assert {i["id"] for i in exec_client.get("/api/v1/rate-violations").json["items"]} == {a["id"], b["id"]}
    assert [i["id"] for i in exec_client.get("/api/v1/rate-violations",
                                             query_string={"status": "pending"}).json["items"]] == [b["id"]]
    assert [i["id"] for i in exec_client.get("/api/v1/rate-violations",
                                             query_string={"site_id": world.site_a.id}).json["items"]] == [a["id"]]
    assert [i["id"] for i in api(world.approver_a).get("/api/v1/rate-violations").json["items"]] == [a["id"]]
    assert api(world.coordinator_a).get("/api/v1/rate-violations").status_code == 403
    assert exec_client.get("/api/v1/rate-violations", query_string={"status": "maybe"}).status_code == 422


def test_no_card_in_force_refuses_a_flat_rate_shift(world, api):
    from bankapp.shifts.rate_approval import price_against_card
    from tests.factories import make_shift

    shift = make_shift(department=world.dept_a, grade=world.grades["ST3"], start="2026-07-01T09:00",
                       end="2026-07-01T17:00", posted_by=world.coordinator_a, hourly_rate=70)
    import pytest

    from bankapp.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        price_against_card(shift)
    assert exc.value.errors == {"start": ["No rate card is in force on that date."]}


def _card_with_consultant_day_rate(world, rate):
    """A card from 1 Jan 2026 like the test card, but a consultant's weekday day pays ``rate``."""
    from datetime import date

    from bankapp.rates.cards import create_rate_card
    from tests.rates.cards import card_body

    rates, caps = card_body()
    for cell in rates:
        if (cell["grade"], cell["band"]) == ("CONS", "weekday_day"):
            cell["hourly_rate"] = rate
    create_rate_card(effective_from=date(2026, 1, 1), rates=rates, agency_caps=caps, backdated_reason="Test card",
                     actor=world.admin)
    db.session.commit()


def _post_consultant(api, world, rate):
    start = datetime.combine(_weekday(), time(9), tzinfo=LONDON)
    body = {"department_id": world.dept_a.id, "grade": "CONS", "start": start.isoformat(),
            "end": (start + timedelta(hours=8)).isoformat(), "hourly_rate": rate, "reason": "Nobody at card rate"}
    resp = api(world.coordinator_a).post("/api/v1/shifts", json=body)
    assert resp.status_code == 201, resp.json
    return resp.json["rate_violation"]


def test_exactly_twenty_percent_over_goes_to_an_approver(world, api):
    _setup(world)
    v = _post(api, world, "72.00")["rate_violation"]  # 576.00 against 480.00
    assert (v["percent_over"], v["required_role"]) == ("20.00", "approver")


def test_a_hair_over_twenty_percent_goes_to_an_executive_though_it_shows_as_20_00(world, api):
    _card_with_consultant_day_rate(world, "416.67")  # 8 h: 3,333.36 by the card
    above = _post_consultant(api, world, "500.01")  # 4,000.08: 20.0014% over
    within = _post_consultant(api, world, "500.00")  # 4,000.00: 19.9990% over
    assert (above["percent_over"], above["required_role"]) == ("20.00", "executive")
    assert (within["percent_over"], within["required_role"]) == ("20.00", "approver")
    refused = api(world.approver_a).post(f"/api/v1/rate-violations/{above['id']}/approve", json={"note": "ok"})
    assert refused.status_code == 403
