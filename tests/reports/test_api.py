"""The report API against the hand-counted month in fixtures.py."""
import csv
import io

import pytest

from . import fixtures as fx

FILL = "/api/v1/reports/fill-rates"
BREACHES = "/api/v1/reports/breaches"
PERIOD = f"from={fx.FROM}&to={fx.TO}"


@pytest.fixture
def month(world):
    return fx.build(world)


def _by_label(items, labels):
    return {labels[item["key"]]: item for item in items}


def _figures(item):
    return (item["posted"], item["filled_bank"], item["filled_agency"], item["unfilled"], item["fill_rate"])


def test_fill_rates_by_site_match_the_hand_count(world, month, api):
    body = api(world.executive).get(f"{FILL}?{PERIOD}&group_by=site").json
    sites = _by_label(body["items"], {world.site_a.id: "A", world.site_b.id: "B"})
    for site, expected in fx.EXPECTED_BY_SITE.items():
        item = sites[site]
        assert _figures(item) == expected[:5]
        assert (item["spend_bank"], item["spend_agency"], item["hours_delivered"]) == expected[5:]
    assert sites["A"]["label"] == "Alpha Hospital"
    assert (body["totals"]["posted"], body["totals"]["filled_bank"], body["totals"]["filled_agency"],
            body["totals"]["unfilled"], body["totals"]["fill_rate"]) == fx.EXPECTED_TOTALS
    assert body["spend"] == {"bank": "575.00", "agency": "800.00"}
    assert body["hours_delivered"] == "19.50"
    assert (body["from"], body["to"]) == (fx.FROM, fx.TO)


def test_fill_rates_by_london_week_count_a_shift_by_its_london_start(world, month, api):
    body = api(world.executive).get(f"{FILL}?{PERIOD}&group_by=week").json
    assert [i["key"] for i in body["items"]] == ["2026-W12", "2026-W13", "2026-W14"]
    for item in body["items"]:
        assert _figures(item) == fx.EXPECTED_BY_WEEK[item["key"]]
    assert body["items"][2]["label"] == "Week 14, 2026 (from Mon 30 Mar)"
    assert body["items"][2]["week_start"] == "2026-03-30"


def test_fill_rates_by_grade_and_department(world, month, api):
    client = api(world.executive)
    grades = client.get(f"{FILL}?{PERIOD}&group_by=grade").json["items"]
    codes = {g.id: code for code, g in world.grades.items()}
    assert {codes[i["key"]]: _figures(i) for i in grades} == fx.EXPECTED_BY_GRADE
    depts = client.get(f"{FILL}?{PERIOD}&group_by=department").json["items"]
    assert {i["label"]: i["posted"] for i in depts} == {"Emergency Department, Alpha Hospital": 4,
                                                        "Acute Medicine, Beta Hospital": 4}


def test_fill_rates_for_one_site(world, month, api):
    body = api(world.admin).get(f"{FILL}?{PERIOD}&site_id={world.site_b.id}").json
    assert [i["key"] for i in body["items"]] == [world.site_b.id]
    assert body["spend"] == {"bank": "575.00", "agency": "0.00"}


def test_fill_rate_csv_equals_the_json_table(world, month, api):
    client = api(world.executive)
    body = client.get(f"{FILL}?{PERIOD}&group_by=week").json
    resp = client.get(f"{FILL}?{PERIOD}&group_by=week&format=csv")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert list(rows[0]) == ["key", "label", "posted", "filled_bank", "filled_agency", "unfilled", "fill_rate",
                             "spend_bank", "spend_agency", "hours_delivered"]
    assert len(rows) == len(body["items"])
    for row, item in zip(rows, body["items"], strict=True):
        assert row["key"] == str(item["key"])
        assert row["label"] == item["label"]
        for col in ("posted", "filled_bank", "filled_agency", "unfilled"):
            assert int(row[col]) == item[col]
        assert float(row["fill_rate"]) == item["fill_rate"]
        for col in ("spend_bank", "spend_agency", "hours_delivered"):
            assert row[col] == item[col]


def test_accept_text_csv_gets_csv(world, month, api):
    resp = api(world.executive).get(f"{BREACHES}?{PERIOD}", headers={"Accept": "text/csv"})
    assert resp.mimetype == "text/csv"
    assert resp.get_data(as_text=True).startswith("at,type,status,site_id")


def test_breaches_show_every_type_and_rate_violations_in_every_state_once(world, month, api):
    body = api(world.executive).get(f"{BREACHES}?{PERIOD}").json
    assert body["totals"] == fx.EXPECTED_BREACH_TOTALS
    assert body["total"] == 6
    statuses = sorted(i["status"] for i in body["items"] if i["type"] == "rate_violation")
    assert statuses == ["approved", "pending", "rejected"]
    by_site = {world.site_a.id: "A", world.site_b.id: "B"}
    got = {by_site[int(k)]: {t: n for t, n in v["by_type"].items() if n} for k, v in body["totals_by_site"].items()}
    assert got == fx.EXPECTED_BREACHES_BY_SITE
    approved = next(i for i in body["items"] if i["type"] == "rate_violation" and i["status"] == "approved")
    assert approved["approved_by"] == "Executive"
    assert approved["amount_over"] == "80.00"
    assert approved["reason"] == "Winter pressures"
    assert approved["shift_id"] == month[1].id
    assert approved["department_id"] == world.dept_a.id
    assert approved["at"] == "2026-03-17T10:00:00+00:00"
    pending = next(i for i in body["items"] if i["status"] == "pending")
    assert pending["approved_by"] is None
    assert pending["amount_over"] == "80.00"
    rejected = next(i for i in body["items"] if i["status"] == "rejected")
    assert (rejected["decided_by"], rejected["decision_note"]) == ("Approver B", "Use the card rate")


def test_breaches_newest_first_and_london_dates_inclusive(world, month, api):
    items = api(world.executive).get(f"{BREACHES}?{PERIOD}").json["items"]
    assert items[0]["type"] == "wtr_override"  # Sun 5 Apr 23:30 BST: still the 5th in London
    assert items[0]["at"] == "2026-04-05T23:30:00+01:00"
    assert [i["at"] for i in items] == sorted((i["at"] for i in items), reverse=True)


def test_breach_filters_by_type_site_department_and_status(world, month, api):
    client = api(world.executive)
    only = client.get(f"{BREACHES}?{PERIOD}&type=rate_violation").json
    assert only["totals"]["rate_violation"] == 3 and only["total"] == 3
    site_b = client.get(f"{BREACHES}?{PERIOD}&site_id={world.site_b.id}").json
    assert {i["site_id"] for i in site_b["items"]} == {world.site_b.id}
    dept_a = client.get(f"{BREACHES}?{PERIOD}&department_id={world.dept_a.id}").json
    assert dept_a["total"] == 3
    pending = client.get(f"{BREACHES}?{PERIOD}&status=pending").json
    assert [i["status"] for i in pending["items"]] == ["pending"]


def test_breach_csv_equals_the_json_rows_and_defuses_formulas(world, month, api):
    client = api(world.executive)
    items = client.get(f"{BREACHES}?{PERIOD}").json["items"]
    text = client.get(f"{BREACHES}?{PERIOD}&format=csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(items)
    for row, item in zip(rows, items, strict=True):
        assert (row["at"], row["type"], row["status"], row["site_id"]) == (item["at"], item["type"], item["status"],
                                                                          str(item["site_id"]))
        assert row["amount_over"] == (item["amount_over"] or "")
        assert row["approved_by"] == (item["approved_by"] or "")
    assert rows[0]["reason"] == "'=HYPERLINK(\"http://evil\")"


def test_coordinator_sees_only_their_sites_rows(world, month, api):
    client = api(world.coordinator_a)
    fill = client.get(f"{FILL}?{PERIOD}").json
    assert [i["key"] for i in fill["items"]] == [world.site_a.id]
    assert fill["totals"]["posted"] == 4
    breaches = client.get(f"{BREACHES}?{PERIOD}").json
    assert {i["site_id"] for i in breaches["items"]} == {world.site_a.id}
    assert breaches["total"] == 3
    other = client.get(f"{FILL}?{PERIOD}&site_id={world.site_b.id}")
    assert other.status_code == 200 and other.json["items"] == []


def test_approver_of_site_b_sees_site_b(world, month, api):
    body = api(world.approver_b).get(f"{BREACHES}?{PERIOD}").json
    assert body["total"] == 3 and {i["site_id"] for i in body["items"]} == {world.site_b.id}


@pytest.mark.parametrize("who", ["doctor", "payroll", "agency_user1"])
def test_doctor_payroll_and_agency_get_403(world, api, who):
    client = api(getattr(world, who))
    assert client.get(FILL).status_code == 403
    assert client.get(BREACHES).status_code == 403


def test_no_token_gets_401(world, client):
    assert client.get(FILL).status_code == 401


@pytest.mark.parametrize("query, field", [
    ("from=2026-04-02&to=2026-04-01", "from"),
    ("from=2024-01-01&to=2026-01-01", "to"),
    ("from=2026-02-30", "from"),
    ("to=yesterday", "to"),
    ("group_by=ward", "group_by"),
    ("site_id=999", "site_id"),
    ("site_id=abc", "site_id"),
    ("department_id=999", "department_id"),
    ("format=xlsx", "format"),
])
def test_bad_fill_rate_input_gets_422_naming_the_field(world, api, query, field):
    resp = api(world.executive).get(f"{FILL}?{query}")
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    assert field in resp.json["errors"]


@pytest.mark.parametrize("query, field", [
    ("type=parking", "type"),
    ("status=maybe", "status"),
    ("from=2026-05-01&to=2026-04-30", "from"),
    ("site_id=999", "site_id"),
])
def test_bad_breach_input_gets_422_naming_the_field(world, api, query, field):
    resp = api(world.executive).get(f"{BREACHES}?{query}")
    assert resp.status_code == 422
    assert field in resp.json["errors"]


def test_exactly_two_years_is_allowed(world, api):
    assert api(world.executive).get(f"{FILL}?from=2024-01-01&to=2025-12-31").status_code == 200


def test_default_period_is_the_last_twelve_weeks(world, api):
    import time_machine

    with time_machine.travel("2026-04-05T12:00:00+01:00", tick=False):
        body = api(world.executive).get(FILL).json
    assert (body["from"], body["to"]) == ("2026-01-12", "2026-04-05")


def test_openapi_describes_the_reports(client):
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/reports/breaches" in spec["paths"]
    assert "/api/v1/reports/fill-rates" in spec["paths"]
    for path, params, fields in (
            ("/api/v1/reports/spend", {"from", "to", "group_by", "site_id"},
             {"key", "label", "bank_hours", "bank_spend", "agency_hours", "agency_spend", "agency_share",
              "off_card_spend"}),
            ("/api/v1/reports/forecast", {"days", "site_id"},
             {"site_id", "date", "posted", "expected_unfilled", "low", "high"})):
        get = spec["paths"][path]["get"]
        assert params <= {p["name"] for p in get["parameters"]}
        assert set(get["responses"]["200"]["content"]) == {"application/json", "text/csv"}
        report = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        item = spec["components"]["schemas"][report]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[1]
        assert fields <= set(spec["components"]["schemas"][item]["properties"])
