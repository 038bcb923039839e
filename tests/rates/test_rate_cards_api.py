"""POST/GET /api/v1/rate-cards: every bad input is a 422 naming the cells."""
from datetime import date, timedelta

from bankapp.audit.models import AuditEvent
from bankapp.extensions import db
from bankapp.timeutil import london_date, now_utc

from .cards import card_body, make_card


def _future(days=30):
    return (london_date(now_utc()) + timedelta(days=days)).isoformat()


def _body(effective_from=None, **kw):
    rates, caps = card_body()
    return {"effective_from": effective_from or _future(), "rates": rates, "agency_caps": caps, **kw}


def test_admin_creates_a_card_and_reads_it_back(world, api):
    resp = api(world.admin).post("/api/v1/rate-cards", json=_body())
    assert resp.status_code == 201, resp.json
    card = resp.json
    assert len(card["rates"]) == 25 and len(card["agency_caps"]) == 5
    assert card["rates"][0] == {"grade": "FY1", "band": "weekday_day", "hourly_rate": "35.00"}
    assert {"grade": "ST3", "hourly_cap": "80.00"} in card["agency_caps"]
    got = api(world.coordinator_a).get(f"/api/v1/rate-cards/{card['id']}")
    assert got.status_code == 200 and got.json["rates"] == card["rates"]


def test_missing_cells_are_each_named(world, api):
    body = _body()
    body["rates"] = [r for r in body["rates"] if not (r["grade"] == "ST3" and r["band"] in ("bank_holiday",
                                                                                          "weekend_night"))]
    body["agency_caps"] = [c for c in body["agency_caps"] if c["grade"] != "CONS"]
    resp = api(world.admin).post("/api/v1/rate-cards", json=body)
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    assert resp.json["errors"]["rates"] == ["Missing ST3 × weekend_night", "Missing ST3 × bank_holiday"]
    assert resp.json["errors"]["agency_caps"] == ["Missing agency cap for CONS"]


def test_zero_and_negative_rates_and_caps_are_refused(world, api):
    body = _body()
    body["rates"][0]["hourly_rate"] = "0.00"
    body["rates"][1]["hourly_rate"] = "-5.00"
    body["agency_caps"][2]["hourly_cap"] = "0"
    resp = api(world.admin).post("/api/v1/rate-cards", json=body)
    assert resp.status_code == 422
    messages = resp.json["errors"]["rates"]
    assert messages[0].startswith("FY1 × weekday_day: must be more than £0.00")
    assert messages[1].startswith("FY1 × weekday_night: must be more than £0.00")
    assert resp.json["errors"]["agency_caps"][0].startswith("CT1: must be more than £0.00")


def test_unknown_grade_band_bad_money_and_duplicates_are_named(world, api):
    body = _body()
    body["rates"] += [{"grade": "ZZ9", "band": "weekday_day", "hourly_rate": "50.00"},
                      {"grade": "ST3", "band": "evening", "hourly_rate": "50.00"},
                      {"grade": "ST3", "band": "weekday_day", "hourly_rate": "61.00"}]
    body["rates"][0]["hourly_rate"] = "35.005"
    body["rates"][2]["hourly_rate"] = 45.5
    resp = api(world.admin).post("/api/v1/rate-cards", json=body)
    assert resp.status_code == 422
    text = " | ".join(resp.json["errors"]["rates"])
    for fragment in ("FY1 × weekday_day: 35.005 has more than two decimal places",
                     "FY1 × weekend_day: Give money as text", "ZZ9 × weekday_day: unknown grade",
                     "ST3 × evening: unknown band", "ST3 × weekday_day: given more than once"):
        assert fragment in text


def test_past_date_without_reason_is_refused(world, api):
    yesterday = (london_date(now_utc()) - timedelta(days=1)).isoformat()
    resp = api(world.admin).post("/api/v1/rate-cards", json=_body(yesterday))
    assert resp.status_code == 422
    assert "in the past" in resp.json["errors"]["effective_from"][0]


def test_admin_may_backdate_with_a_reason_and_it_is_audited(world, api):
    resp = api(world.admin).post("/api/v1/rate-cards",
                                 json=_body("2024-04-01", backdated_reason="Pay award agreed in arrears"))
    assert resp.status_code == 201, resp.json
    assert resp.json["backdated_reason"] == "Pay award agreed in arrears"
    event = db.session.execute(db.select(AuditEvent).filter_by(action="rate_card.backdated")).scalar_one()
    assert event.actor_id == world.admin.id
    assert event.after["backdated_reason"] == "Pay award agreed in arrears"


def test_only_an_admin_creates_cards(world, api):
    resp = api(world.executive).post("/api/v1/rate-cards", json=_body())
    assert resp.status_code == 403


def test_backdating_needs_an_admin_even_through_the_service(world):
    import pytest

    from bankapp.errors import Forbidden
    from bankapp.rates.cards import create_rate_card

    rates, caps = card_body()
    with pytest.raises(Forbidden):
        create_rate_card(effective_from=date(2024, 1, 1), rates=rates, agency_caps=caps,
                         backdated_reason="because", actor=world.executive)


def test_a_second_card_on_the_same_date_is_refused(world, api):
    client = api(world.admin)
    assert client.post("/api/v1/rate-cards", json=_body(_future(10))).status_code == 201
    resp = client.post("/api/v1/rate-cards", json=_body(_future(10)))
    assert resp.status_code == 422
    assert resp.json["errors"]["effective_from"] == [f"A rate card already takes effect on {_future(10)}."]


def test_missing_fields_are_422(world, api):
    resp = api(world.admin).post("/api/v1/rate-cards", json={"effective_from": "next week"})
    assert resp.status_code == 422
    assert set(resp.json["errors"]) == {"effective_from", "rates", "agency_caps"}


def test_current_card_and_history(world, api):
    client = api(world.doctor)
    assert client.get("/api/v1/rate-cards/current").status_code == 404
    old = make_card(world.admin, date(2020, 1, 1))
    now = make_card(world.admin, date(2021, 1, 1))
    make_card(world.admin, london_date(now_utc()) + timedelta(days=40), reason=None)
    db.session.commit()
    resp = client.get("/api/v1/rate-cards/current")
    assert resp.status_code == 200 and resp.json["id"] == now.id
    history = client.get("/api/v1/rate-cards").json
    assert [c["id"] for c in history["items"]][:2] == [old.id, now.id] and len(history["items"]) == 3
    assert client.get("/api/v1/rate-cards/999").status_code == 404


def test_preview_prices_by_card_and_flags_a_violation(world, api):
    make_card(world.admin)
    db.session.commit()
    client = api(world.coordinator_a)
    resp = client.get("/api/v1/rate-cards/preview", query_string={
        "grade": "ST3", "start": "2026-10-24T20:00", "end": "2026-10-25T08:00", "hourly_rate": "95.00"})
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["card"]["total"] == "1130.00" and body["card"]["hours"] == "13.00"
    assert body["flat"]["total"] == "1235.00"
    assert body["is_violation"] is True and body["percent_over"] == "9.29" and body["required_role"] == "approver"
    within = client.get("/api/v1/rate-cards/preview", query_string={
        "grade": "ST3", "start": "2026-10-24T20:00", "end": "2026-10-25T08:00"}).json
    assert within["flat"] is None and within["is_violation"] is False


def test_preview_refuses_bad_times_and_unknown_grades(world, api):
    make_card(world.admin)
    db.session.commit()
    client = api(world.coordinator_a)
    gap = client.get("/api/v1/rate-cards/preview", query_string={
        "grade": "ST3", "start": "2026-03-29T01:30", "end": "2026-03-29T08:00"})
    assert gap.status_code == 422 and "does not exist in London" in gap.json["errors"]["start"][0]
    grade = client.get("/api/v1/rate-cards/preview", query_string={
        "grade": "XX", "start": "2026-03-30T09:00", "end": "2026-03-30T17:00"})
    assert grade.status_code == 422 and "grade" in grade.json["errors"]
    early = client.get("/api/v1/rate-cards/preview", query_string={
        "grade": "ST3", "start": "2019-03-30T09:00", "end": "2019-03-30T17:00"})
    assert early.json["errors"] == {"start": ["No rate card is in force on that date."]}
    assert api(world.doctor).get("/api/v1/rate-cards/preview", query_string={
        "grade": "ST3", "start": "2026-03-30T09:00", "end": "2026-03-30T17:00"}).status_code == 403
