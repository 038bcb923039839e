"""Timesheets API: submission, bad input, status flow, scoping and approval rights."""
from datetime import UTC, date, datetime

import pytest
import time_machine

from bankapp.audit.models import AuditEvent
from bankapp.events import subscribe
from bankapp.extensions import db
from bankapp.timesheets.models import Timesheet
from tests.timesheets.helpers import RATES, approve, body, make_card, submit, worked

NOW = datetime(2026, 10, 16, 12, 0, tzinfo=UTC)  # Friday 16 Oct 2026, 13:00 BST


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def night(trust):
    """Dr Default's weekday night, Wed 14 -> Thu 15 Oct, already worked."""
    return worked(trust, "2026-10-14T20:00", "2026-10-15T08:00")


def test_booked_doctor_submits_and_gets_201(trust, api, night):
    resp = api(trust.doctor).post("/api/v1/timesheets", json=body(night, break_minutes=30))
    assert resp.status_code == 201
    data = resp.get_json()
    assert data["status"] == "submitted"
    assert data["booking_id"] == night.id
    assert data["actual_start"] == "2026-10-14T20:00:00+01:00"
    assert data["actual_end"] == "2026-10-15T08:00:00+01:00"
    assert data["break_minutes"] == 30
    assert data["pay"] is None


def test_submission_is_audited_and_emits_an_event(trust, api, night):
    seen = []
    handler = subscribe("timesheet.submitted")(lambda **kw: seen.append(kw))
    try:
        resp = api(trust.doctor).post("/api/v1/timesheets", json=body(night))
    finally:
        from bankapp import events

        events._subscribers["timesheet.submitted"].remove(handler)
    assert [kw["timesheet"].id for kw in seen] == [resp.get_json()["id"]]
    assert db.session.execute(db.select(AuditEvent).filter_by(action="timesheet.submitted")).scalar_one()


def test_times_without_offset_are_london_time(trust, api, night):
    resp = api(trust.doctor).post("/api/v1/timesheets", json=body(night, "2026-10-14T20:15", "2026-10-15T08:00"))
    assert resp.status_code == 201
    assert resp.get_json()["actual_start"] == "2026-10-14T20:15:00+01:00"


def test_before_the_shift_ends_gets_422(trust, api):
    booking = worked(trust, "2026-10-16T08:00", "2026-10-16T17:00")
    resp = api(trust.doctor).post("/api/v1/timesheets", json=body(booking, end="2026-10-16T12:00"))
    assert resp.status_code == 422
    assert [r["code"] for r in resp.get_json()["reasons"]] == ["shift_not_ended"]


def test_another_doctors_booking_gets_403(trust, api, night, factory):
    other = factory.doctor()
    db.session.commit()
    resp = api(other).post("/api/v1/timesheets", json=body(night))
    assert resp.status_code == 403


def test_second_timesheet_for_a_booking_gets_409(trust, api, night):
    client = api(trust.doctor)
    assert client.post("/api/v1/timesheets", json=body(night)).status_code == 201
    resp = client.post("/api/v1/timesheets", json=body(night))
    assert resp.status_code == 409
    assert db.session.query(Timesheet).count() == 1


def test_unknown_booking_gets_404(trust, api):
    resp = api(trust.doctor).post("/api/v1/timesheets", json={"booking_id": 999, "actual_start": "2026-10-14T20:00",
                                                              "actual_end": "2026-10-15T08:00"})
    assert resp.status_code == 404


def test_end_before_start_gets_422_on_the_end(trust, api, night):
    resp = api(trust.doctor).post("/api/v1/timesheets", json=body(night, "2026-10-14T20:00", "2026-10-14T19:00"))
    assert resp.status_code == 422
    assert "actual_end" in resp.get_json()["errors"]


def test_more_than_four_hours_off_without_note_gets_422(trust, api, night):
    resp = api(trust.doctor).post("/api/v1/timesheets", json=body(night, end="2026-10-15T12:30"))
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]) == ["actual_end"]


def test_more_than_four_hours_off_with_a_note_is_accepted(trust, api, night):
    resp = api(trust.doctor).post("/api/v1/timesheets", json=body(night, end="2026-10-15T12:30",
                                                                  note="Stayed for a cardiac arrest and handover"))
    assert resp.status_code == 201


def test_break_longer_than_the_shift_gets_422(trust, api, night):
    resp = api(trust.doctor).post("/api/v1/timesheets", json=body(night, break_minutes=800))
    assert resp.status_code == 422
    assert "break_minutes" in resp.get_json()["errors"]


@pytest.mark.parametrize(("field", "value"), [
    ("actual_start", "yesterday evening"), ("actual_end", "2026-10-15"), ("break_minutes", -5),
    ("break_minutes", "thirty"), ("booking_id", None)])
def test_malformed_fields_get_422_naming_the_field(trust, api, night, field, value):
    resp = api(trust.doctor).post("/api/v1/timesheets", json={**body(night), field: value})
    assert resp.status_code == 422
    assert field in resp.get_json()["errors"]


def test_ambiguous_time_without_offset_gets_422(trust, api):
    booking = worked(trust, "2026-10-24T20:00", "2026-10-25T08:00")
    with time_machine.travel(datetime(2026, 10, 26, 12, 0, tzinfo=UTC), tick=False):
        resp = api(trust.doctor).post("/api/v1/timesheets", json=body(booking, end="2026-10-25T01:30"))
    assert resp.status_code == 422
    assert "happens twice" in resp.get_json()["errors"]["actual_end"][0]


def test_doctor_reads_own_timesheet_but_not_anothers(trust, api, night, factory):
    ts = submit(night)
    other = factory.doctor()
    db.session.commit()
    assert api(trust.doctor).get(f"/api/v1/timesheets/{ts.id}").status_code == 200
    assert api(other).get(f"/api/v1/timesheets/{ts.id}").status_code == 404
    assert api(other).get("/api/v1/timesheets").get_json()["items"] == []


def test_approver_lists_only_their_sites(trust, api, night):
    ts_a = submit(night)
    at_b = worked(trust, "2026-10-13T08:00", "2026-10-13T17:00", department=trust.dept_b)
    ts_b = submit(at_b)
    ids = [t["id"] for t in api(trust.approver_a).get("/api/v1/timesheets?status=submitted").get_json()["items"]]
    assert ids == [ts_a.id]
    ids_b = [t["id"] for t in api(trust.approver_b).get("/api/v1/timesheets").get_json()["items"]]
    assert ids_b == [ts_b.id]
    assert api(trust.approver_b).get(f"/api/v1/timesheets/{ts_a.id}").status_code == 404


def test_list_filters_by_status(trust, api, night):
    submit(night)
    assert api(trust.doctor).get("/api/v1/timesheets?status=approved").get_json()["items"] == []
    assert api(trust.doctor).get("/api/v1/timesheets?status=bogus").status_code == 422


def test_approval_shows_pay_and_never_changes_it(trust, api, night):
    ts = submit(night)
    resp = api(trust.approver_a).post(f"/api/v1/timesheets/{ts.id}/approve", json={"note": "Thanks"})
    assert resp.status_code == 200
    pay = resp.get_json()["pay"]
    assert pay == {"lines": [{"band": "weekday_day", "hours": "2.00", "rate": "50.00", "amount": "100.00"},
                             {"band": "weekday_night", "hours": "10.00", "rate": "62.50", "amount": "625.00"}],
                   "hours": "12.00", "total": "725.00"}
    # A later card or a second approval cannot change it.
    make_card(trust, date(2026, 10, 1), {band: rate * 2 for band, rate in RATES.items()})
    db.session.commit()
    again = api(trust.approver_a).post(f"/api/v1/timesheets/{ts.id}/approve", json={})
    assert again.status_code == 409
    assert api(trust.doctor).get(f"/api/v1/timesheets/{ts.id}").get_json()["pay"] == pay


def test_approving_own_timesheet_gets_403(trust, api, factory):
    doctor_approver = factory.user(("doctor", "approver"), sites=[trust.site_a], grade="ST3",
                                   esr_assignment_number="12345678-1")
    db.session.commit()
    booking = worked(trust, "2026-10-13T08:00", "2026-10-13T17:00", doctor=doctor_approver)
    ts = submit(booking)
    for action in ("approve", "reject", "query"):
        resp = api(doctor_approver).post(f"/api/v1/timesheets/{ts.id}/{action}", json={"note": "Fine"})
        assert resp.status_code == 403
        assert [r["code"] for r in resp.get_json()["reasons"]] == ["own_request"]
    assert db.session.get(Timesheet, ts.id).status == "submitted"
    bulk = api(doctor_approver).post("/api/v1/timesheets/bulk-approve", json={"ids": [ts.id]})
    assert bulk.status_code == 422 and [r["code"] for r in bulk.get_json()["reasons"]] == ["own_request"]
    assert api(trust.approver_a).post(f"/api/v1/timesheets/{ts.id}/approve", json={}).status_code == 200


@pytest.mark.parametrize("action", ["approve", "reject", "query"])
def test_approver_of_another_site_does_not_find_it(trust, api, night, action):
    ts = submit(night)
    resp = api(trust.approver_b).post(f"/api/v1/timesheets/{ts.id}/{action}", json={"note": "x"})
    assert resp.status_code == 404


@pytest.mark.parametrize("action", ["approve", "reject", "query"])
def test_doctor_cannot_decide(trust, api, night, action):
    ts = submit(night)
    resp = api(trust.doctor).post(f"/api/v1/timesheets/{ts.id}/{action}", json={"note": "x"})
    assert resp.status_code == 403


@pytest.mark.parametrize("action", ["reject", "query"])
def test_query_and_reject_need_a_note(trust, api, night, action):
    ts = submit(night)
    resp = api(trust.approver_a).post(f"/api/v1/timesheets/{ts.id}/{action}", json={"note": "  "})
    assert resp.status_code == 422
    assert "note" in resp.get_json()["errors"]


def test_query_then_amend_returns_to_submitted(trust, api, night):
    ts = submit(night)
    queried = api(trust.approver_a).post(f"/api/v1/timesheets/{ts.id}/query",
                                         json={"note": "Did you have a break?"}).get_json()
    assert queried["status"] == "queried"
    assert queried["query_note"] == "Did you have a break?"
    resp = api(trust.doctor).patch(f"/api/v1/timesheets/{ts.id}", json={
        "actual_start": "2026-10-14T20:00", "actual_end": "2026-10-15T08:00", "break_minutes": 30})
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "submitted"
    assert resp.get_json()["break_minutes"] == 30
    approved = api(trust.approver_a).post(f"/api/v1/timesheets/{ts.id}/approve", json={}).get_json()
    assert approved["pay"]["hours"] == "11.50"


def _queried(trust, api, night, **times):
    ts = submit(night, **times)
    api(trust.approver_a).post(f"/api/v1/timesheets/{ts.id}/query", json={"note": "Check the end time"})
    return ts


def test_patch_changes_only_the_fields_sent(trust, api, night):
    ts = _queried(trust, api, night, break_minutes=30, note="Handover ran late")
    resp = api(trust.doctor).patch(f"/api/v1/timesheets/{ts.id}", json={"actual_end": "2026-10-15T08:30"})
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()
    assert (data["status"], data["actual_start"], data["actual_end"], data["break_minutes"], data["note"]) == (
        "submitted", "2026-10-14T20:00:00+01:00", "2026-10-15T08:30:00+01:00", 30, "Handover ran late")
    event = db.session.execute(db.select(AuditEvent).filter_by(action="timesheet.amended")).scalar_one()
    assert event.before["break_minutes"] == 30 and event.after["break_minutes"] == 30


def test_patch_with_only_a_break_keeps_the_times(trust, api, night):
    ts = _queried(trust, api, night)
    resp = api(trust.doctor).patch(f"/api/v1/timesheets/{ts.id}", json={"break_minutes": 45})
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()
    assert (data["actual_start"], data["actual_end"], data["break_minutes"]) == (
        "2026-10-14T20:00:00+01:00", "2026-10-15T08:00:00+01:00", 45)


def test_patch_of_one_time_is_checked_against_the_times_kept(trust, api, night):
    ts = _queried(trust, api, night)
    resp = api(trust.doctor).patch(f"/api/v1/timesheets/{ts.id}", json={"actual_end": "2026-10-14T19:00"})
    assert resp.status_code == 422 and "actual_end" in resp.get_json()["errors"]
    assert db.session.get(Timesheet, ts.id).status == "queried"


def test_patch_still_refuses_bad_values_and_unknown_fields(trust, api, night):
    ts = _queried(trust, api, night)
    bad = api(trust.doctor).patch(f"/api/v1/timesheets/{ts.id}", json={"break_minutes": -5})
    assert bad.status_code == 422 and "break_minutes" in bad.get_json()["errors"]
    unknown = api(trust.doctor).patch(f"/api/v1/timesheets/{ts.id}", json={"status": "approved"})
    assert unknown.status_code == 422
    assert db.session.get(Timesheet, ts.id).status == "queried"


def test_amend_is_only_for_queried_timesheets(trust, api, night):
    ts = submit(night)
    amend = {"actual_start": "2026-10-14T20:00", "actual_end": "2026-10-15T08:00", "break_minutes": 10}
    assert api(trust.doctor).patch(f"/api/v1/timesheets/{ts.id}", json=amend).status_code == 409
    approve(ts, trust.approver_a)
    assert api(trust.doctor).patch(f"/api/v1/timesheets/{ts.id}", json=amend).status_code == 409


def test_amend_checks_the_times_again(trust, api, night):
    ts = submit(night)
    api(trust.approver_a).post(f"/api/v1/timesheets/{ts.id}/query", json={"note": "Check end"})
    resp = api(trust.doctor).patch(f"/api/v1/timesheets/{ts.id}", json={
        "actual_start": "2026-10-14T20:00", "actual_end": "2026-10-14T19:00", "break_minutes": 0})
    assert resp.status_code == 422
    assert db.session.get(Timesheet, ts.id).status == "queried"


def test_another_doctor_cannot_amend(trust, api, night, factory):
    ts = submit(night)
    api(trust.approver_a).post(f"/api/v1/timesheets/{ts.id}/query", json={"note": "Check end"})
    other = factory.doctor()
    db.session.commit()
    resp = api(other).patch(f"/api/v1/timesheets/{ts.id}", json={
        "actual_start": "2026-10-14T20:00", "actual_end": "2026-10-15T08:00"})
    assert resp.status_code == 404


def test_rejected_is_final(trust, api, night):
    ts = submit(night)
    resp = api(trust.approver_a).post(f"/api/v1/timesheets/{ts.id}/reject", json={"note": "Shift not worked"})
    assert resp.get_json()["status"] == "rejected"
    assert api(trust.approver_a).post(f"/api/v1/timesheets/{ts.id}/approve", json={}).status_code == 409
    assert api(trust.doctor).post("/api/v1/timesheets", json=body(night)).status_code == 409


def test_bulk_approve_approves_unchanged_timesheets(trust, api, night):
    other = worked(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    ids = [submit(night).id, submit(other).id]
    resp = api(trust.approver_a).post("/api/v1/timesheets/bulk-approve", json={"ids": ids})
    assert resp.status_code == 200
    assert resp.get_json() == {"approved_ids": sorted(ids), "count": 2}
    assert {db.session.get(Timesheet, i).status for i in ids} == {"approved"}
    assert all(db.session.get(Timesheet, i).pay_lines for i in ids)


def test_bulk_approve_refuses_all_when_one_changed(trust, api, night):
    changed = worked(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    same, diff = submit(night), submit(changed, break_minutes=30)
    resp = api(trust.approver_a).post("/api/v1/timesheets/bulk-approve", json={"ids": [same.id, diff.id, 999]})
    assert resp.status_code == 422
    assert sorted(r["code"] for r in resp.get_json()["reasons"]) == ["changed", "not_found"]
    assert db.session.get(Timesheet, same.id).status == "submitted"


def test_bulk_approve_refuses_other_sites(trust, api, night):
    ts = submit(night)
    resp = api(trust.approver_b).post("/api/v1/timesheets/bulk-approve", json={"ids": [ts.id]})
    assert resp.status_code == 422
    assert [r["code"] for r in resp.get_json()["reasons"]] == ["not_found"]


def test_bulk_approve_needs_ids(trust, api):
    assert api(trust.approver_a).post("/api/v1/timesheets/bulk-approve", json={"ids": []}).status_code == 422
