"""Posting shifts through the API: times, limits, scope, rate card, rota CSV."""
import io

from bankapp.extensions import db
from bankapp.shifts.models import Shift

from .conftest import post, shift_body


def test_coordinator_posts_a_shift_with_london_times_and_hours(market, api):
    body = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    assert body["status"] == "open"
    assert body["start"] == "2026-10-05T08:00:00+01:00" and body["end"] == "2026-10-05T20:00:00+01:00"
    assert body["hours"] == "12.00" and body["grade"] == "ST3" and body["site_id"] == market.site_a.id
    assert body["hourly_rate"] is None and body["rate_violation"] is None and body["clock_change"] is None
    assert body["pay_estimate"]["total"] == "720.00"


def test_october_night_is_13_hours_and_labelled(market, api):
    body = post(api, market, "2026-10-24T20:00", "2026-10-25T08:00")
    assert body["hours"] == "13.00" and body["clock_change"] == "back"
    assert body["end"] == "2026-10-25T08:00:00+00:00"


def test_march_night_is_11_hours(market, api):
    body = post(api, market, "2027-03-27T20:00", "2027-03-28T08:00")
    assert body["hours"] == "11.00" and body["clock_change"] == "forward"


def test_end_before_start_is_422_on_end(market, api):
    resp = api(market.coordinator_a).post("/api/v1/shifts",
                                          json=shift_body(market, "2026-10-05T20:00", "2026-10-05T08:00"))
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    assert "end" in resp.get_json()["errors"]


def test_shift_of_exactly_24_hours_passes_and_longer_is_422(market, api):
    post(api, market, "2026-10-05T08:00", "2026-10-06T08:00")
    resp = api(market.coordinator_a).post("/api/v1/shifts",
                                          json=shift_body(market, "2026-10-05T08:00", "2026-10-06T08:01"))
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["end"] == ["A shift can last at most 24 hours."]


def test_time_in_the_spring_gap_is_422_naming_the_field(market, api):
    resp = api(market.coordinator_a).post("/api/v1/shifts",
                                          json=shift_body(market, "2027-03-28T01:30", "2027-03-28T09:00"))
    assert resp.status_code == 422
    assert "does not exist" in resp.get_json()["errors"]["start"][0]


def test_ambiguous_autumn_time_is_422_but_an_offset_is_accepted(market, api):
    resp = api(market.coordinator_a).post("/api/v1/shifts",
                                          json=shift_body(market, "2026-10-24T20:00", "2026-10-25T01:30"))
    assert resp.status_code == 422 and "happens twice" in resp.get_json()["errors"]["end"][0]
    body = post(api, market, "2026-10-24T20:00", "2026-10-25T01:30+00:00")
    assert body["hours"] == "6.50"


def test_past_start_needs_retrospective(market, api):
    resp = api(market.coordinator_a).post("/api/v1/shifts",
                                          json=shift_body(market, "2026-08-30T08:00", "2026-08-30T18:00"))
    assert resp.status_code == 422 and "retrospective" in resp.get_json()["errors"]["start"][0]
    body = post(api, market, "2026-08-30T08:00", "2026-08-30T18:00", retrospective=True)
    assert body["retrospective"] is True


def test_no_rate_card_in_force_is_422_on_start(world, api):
    resp = api(world.coordinator_a).post("/api/v1/shifts",
                                         json=shift_body(world, "2026-10-05T08:00", "2026-10-05T20:00"))
    assert resp.status_code == 422 and "rate card" in resp.get_json()["errors"]["start"][0]


def test_coordinator_cannot_post_at_another_site(market, api):
    resp = api(market.coordinator_b).post("/api/v1/shifts",
                                          json=shift_body(market, "2026-10-05T08:00", "2026-10-05T20:00"))
    assert resp.status_code == 403


def test_doctor_cannot_post(market, api):
    resp = api(market.doctor).post("/api/v1/shifts", json=shift_body(market, "2026-10-05T08:00", "2026-10-05T20:00"))
    assert resp.status_code == 403


def test_unknown_department_and_grade_are_422(market, api):
    resp = api(market.coordinator_a).post("/api/v1/shifts", json={"department_id": 999, "grade": "XX",
                                                                   "start": "2026-10-05T08:00",
                                                                   "end": "2026-10-05T20:00"})
    assert resp.status_code == 422 and set(resp.get_json()["errors"]) == {"department_id", "grade"}


def test_flat_rate_above_card_waits_for_approval(market, api):
    body = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00", hourly_rate="66.00", reason="Short notice")
    assert body["status"] == "pending_rate_approval" and body["hourly_rate"] == "66.00"
    assert body["rate_violation"]["percent_over"] == "10.00"
    assert body["rate_violation"]["required_role"] == "approver"
    assert body["rate_violation"]["status"] == "pending"
    assert body["pay_estimate"]["total"] == "792.00"


def test_flat_rate_as_a_json_number_is_422(market, api):
    resp = api(market.coordinator_a).post("/api/v1/shifts", json=shift_body(
        market, "2026-10-05T08:00", "2026-10-05T20:00", hourly_rate=60.5))
    assert resp.status_code == 422 and "hourly_rate" in resp.get_json()["errors"]


def upload(client, text):
    """POST a rota as a text/csv body."""
    return client.client.post("/api/v1/shifts/import", data=text.encode(),
                              headers=client._headers({"Content-Type": "text/csv"}))


ROTA = """department,grade,start,end,hourly_rate
Emergency Department,ST3,2026-10-05T08:00,2026-10-05T20:00,
{dept_id},FY1,2026-10-06T20:00,2026-10-07T08:00,
"""


def test_rota_csv_posts_every_shift(market, api):
    text = ROTA.format(dept_id=market.dept_a.id)
    resp = upload(api(market.coordinator_a), text)
    assert resp.status_code == 201, resp.get_json()
    assert [s["grade"] for s in resp.get_json()["items"]] == ["ST3", "FY1"]


def test_rota_csv_with_bad_lines_imports_nothing_and_reports_every_line(market, api):
    text = (ROTA.format(dept_id=market.dept_a.id)
            + "Emergency Department,ZZ9,2026-10-08T08:00,2026-10-08T20:00,\n"
            + "Emergency Department,ST3,2027-03-28T01:30,2027-03-28T09:00,\n"
            + "Nowhere Ward,ST3,2026-10-09T20:00,2026-10-09T08:00,abc\n"
            + "Emergency Department,ST3,2026-10-10T08:00,2026-10-11T09:00,\n")
    coordinator = api(market.coordinator_a)
    resp = coordinator.client.post("/api/v1/shifts/import", data={"file": (io.BytesIO(text.encode()), "rota.csv")},
                                   headers=coordinator._headers(None), content_type="multipart/form-data")
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert list(errors) == ["line 4", "line 5", "line 6", "line 7"]
    assert "grade" in errors["line 4"][0]
    assert "does not exist" in errors["line 5"][0]
    # the unknown department, the bad rate and the end before the start, all at once
    assert [problem.split(":")[0] for problem in errors["line 6"]] == ["department", "hourly_rate", "end"]
    assert "The end must be after the start." in errors["line 6"][2]
    assert "24 hours" in errors["line 7"][0]
    assert db.session.execute(db.select(db.func.count(Shift.id))).scalar_one() == 0


def test_rota_csv_reports_every_problem_of_a_line_in_one_answer(market, api):
    text = ("department,grade,start,end\n"
            "Emergency Department,ZZ9,2026-10-05T20:00,2026-10-05T08:00\n"
            ",ST3,2026-08-01T08:00,\n")
    errors = upload(api(market.coordinator_a), text).get_json()["errors"]
    assert errors["line 2"] == ["grade: unknown grade 'ZZ9'; use one of CONS, CT1, FY1, FY2, ST3.",
                                "end: The end must be after the start."]
    assert errors["line 3"] == ["department: enter the department name or id.", "end: enter a date and time.",
                                "start: This start is in the past. To post a shift that has already started, "
                                "mark it as retrospective."]


def test_rota_csv_at_another_site_is_refused_per_line(market, api):
    text = f"department,grade,start,end\n{market.dept_b.id},ST3,2026-10-05T08:00,2026-10-05T20:00\n"
    resp = upload(api(market.coordinator_a), text)
    assert resp.status_code == 422 and "line 2" in resp.get_json()["errors"]


def test_rota_csv_without_the_columns_is_422(market, api):
    resp = upload(api(market.coordinator_a), "a,b\n1,2\n")
    assert resp.status_code == 422 and "file" in resp.get_json()["errors"]
