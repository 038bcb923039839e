"""Assigning, cancelling, re-opening, and who sees which bookings."""
from datetime import timedelta

import time_machine

from bankapp.audit.models import AuditEvent, Breach
from bankapp.extensions import db
from bankapp.shifts.models import Booking, Shift
from bankapp.timeutil import format_london, now_utc, parse_datetime

from .conftest import booked, post


def test_assign_checks_the_rules_and_refuses_without_override(market, api):
    booked(market, market.doctor, "2026-10-05T08:00", "2026-10-05T20:00", department=market.dept_b)
    shift = post(api, market, "2026-10-06T06:00", "2026-10-06T12:00")
    resp = api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/assign", json={"doctor_id": market.doctor.id})
    assert resp.status_code == 422 and [r["code"] for r in resp.get_json()["reasons"]] == ["wtr_min_rest_11h"]


def test_assign_with_override_records_a_wtr_override_breach_and_audit(market, api, events):
    booked(market, market.doctor, "2026-10-05T08:00", "2026-10-05T20:00", department=market.dept_b)
    shift = post(api, market, "2026-10-06T06:00", "2026-10-06T12:00")
    resp = api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/assign", json={
        "doctor_id": market.doctor.id, "override_reason": "Only registrar available; patient safety"})
    assert resp.status_code == 201
    booking = db.session.get(Booking, resp.get_json()["id"])
    assert booking.override_reason == "Only registrar available; patient safety"
    assert booking.booked_by_id == market.coordinator_a.id
    breach = db.session.execute(db.select(Breach)).scalar_one()
    assert (breach.type, breach.shift_id, breach.approved_by_id, breach.source_type, breach.source_id) == (
        "wtr_override", shift["id"], market.coordinator_a.id, "booking", booking.id)
    audit = db.session.execute(db.select(AuditEvent).filter_by(action="booking.wtr_override")).scalar_one()
    assert audit.after["reasons"] == ["wtr_min_rest_11h"]


def test_override_never_covers_grade_or_overlap(market, api, factory):
    junior = factory.doctor("FY1")
    db.session.commit()
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T22:00")
    resp = api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/assign", json={
        "doctor_id": junior.id, "override_reason": "Please"})
    assert resp.status_code == 422
    assert [r["code"] for r in resp.get_json()["reasons"]] == ["grade_mismatch", "wtr_max_shift_13h"]
    assert db.session.execute(db.select(db.func.count(Breach.id))).scalar_one() == 0


def test_assign_without_reasons_records_no_breach(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    resp = api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/assign", json={
        "doctor_id": market.doctor.id, "override_reason": "not needed"})
    assert resp.status_code == 201
    assert db.session.get(Booking, resp.get_json()["id"]).override_reason is None
    assert db.session.execute(db.select(db.func.count(Breach.id))).scalar_one() == 0


def test_assign_at_another_site_is_forbidden(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    resp = api(market.coordinator_b).post(f"/api/v1/shifts/{shift['id']}/assign", json={"doctor_id": market.doctor.id})
    assert resp.status_code == 404  # not even visible to another site's coordinator


def _starting_in(hours):
    start = now_utc().replace(second=0, microsecond=0) + timedelta(hours=hours)
    return format_london(start), format_london(start + timedelta(hours=8))


def test_doctor_cancels_up_to_the_cut_off_and_the_shift_is_readvertised(market, api, events):
    start, end = _starting_in(48)
    shift = post(api, market, start, end)
    api(market.doctor).post(f"/api/v1/shifts/{shift['id']}/claim")
    events.clear()
    doctor = api(market.doctor)
    with time_machine.travel(parse_datetime(start) - timedelta(hours=48), tick=False):  # exactly at the cut-off
        resp = doctor.post(f"/api/v1/shifts/{shift['id']}/cancel", json={})
    assert resp.status_code == 200 and resp.get_json()["status"] == "open"
    assert [name for name, _ in events] == ["booking.cancelled", "shift.opened"]
    assert db.session.execute(db.select(Booking.status)).scalar_one() == "cancelled"


def test_doctor_cannot_cancel_after_the_cut_off_but_the_coordinator_can(market, api):
    start, end = _starting_in(47)
    shift = post(api, market, start, end)
    api(market.doctor).post(f"/api/v1/shifts/{shift['id']}/claim")
    resp = api(market.doctor).post(f"/api/v1/shifts/{shift['id']}/cancel", json={"reason": "ill"})
    assert resp.status_code == 422 and resp.get_json()["reasons"][0]["code"] == "cancel_cutoff_passed"
    resp = api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/cancel", json={})
    assert resp.status_code == 422 and "reason" in resp.get_json()["errors"]
    resp = api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/cancel", json={"reason": "Ward closed"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "cancelled"
    assert db.session.execute(db.select(Booking.status)).scalar_one() == "cancelled"


def test_cancelled_shift_can_be_reopened(market, api, events):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    coordinator = api(market.coordinator_a)
    coordinator.post(f"/api/v1/shifts/{shift['id']}/cancel", json={"reason": "Ward closed"})
    assert coordinator.post(f"/api/v1/shifts/{shift['id']}/cancel", json={"reason": "again"}).status_code == 409
    resp = coordinator.post(f"/api/v1/shifts/{shift['id']}/reopen")
    assert resp.status_code == 200 and resp.get_json()["status"] == "open"
    assert [name for name, _ in events] == ["shift.opened", "shift.cancelled", "shift.opened"]
    assert coordinator.post(f"/api/v1/shifts/{shift['id']}/reopen").status_code == 409
    actions = db.session.execute(db.select(AuditEvent.action).filter_by(entity_type="shift")
                                 .order_by(AuditEvent.id)).scalars().all()
    assert actions == ["shift.posted", "shift.cancelled", "shift.reopened"]


def test_reopened_flat_rate_shift_is_priced_again(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00", hourly_rate="90.00")
    coordinator = api(market.coordinator_a)
    coordinator.post(f"/api/v1/shifts/{shift['id']}/cancel", json={"reason": "Rate too high"})
    resp = coordinator.post(f"/api/v1/shifts/{shift['id']}/reopen")
    assert resp.get_json()["status"] == "pending_rate_approval"


def test_a_doctor_never_sees_another_doctors_booking(market, api, factory):
    other = factory.doctor("ST3")
    db.session.commit()
    mine = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    theirs = post(api, market, "2026-10-07T08:00", "2026-10-07T20:00")
    free = post(api, market, "2026-10-09T08:00", "2026-10-09T20:00")
    my_booking = api(market.doctor).post(f"/api/v1/shifts/{mine['id']}/claim").get_json()
    their_booking = api(other).post(f"/api/v1/shifts/{theirs['id']}/claim").get_json()
    me = api(market.doctor)
    assert me.get(f"/api/v1/bookings/{their_booking['id']}").status_code == 404
    assert me.get(f"/api/v1/shifts/{theirs['id']}").status_code == 404
    assert [b["id"] for b in me.get("/api/v1/bookings").get_json()["items"]] == [my_booking["id"]]
    assert me.get(f"/api/v1/bookings/{my_booking['id']}").get_json()["shift"]["id"] == mine["id"]
    assert {s["id"] for s in me.get("/api/v1/shifts").get_json()["items"]} == {mine["id"], free["id"]}


def test_doctor_list_shows_only_eligible_grades_and_sites(market, api, factory):
    junior = factory.doctor("FY2", sites=[market.site_a])
    db.session.commit()
    post(api, market, "2026-10-05T08:00", "2026-10-05T20:00", grade="ST3")
    fy1_a = post(api, market, "2026-10-06T08:00", "2026-10-06T20:00", grade="FY1")
    post(api, market, "2026-10-07T08:00", "2026-10-07T20:00", grade="FY1", department=market.dept_b)
    ids = [s["id"] for s in api(junior).get("/api/v1/shifts").get_json()["items"]]
    assert ids == [fy1_a["id"]]


def test_list_filters(market, api):
    a = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    b = post(api, market, "2026-10-06T08:00", "2026-10-06T20:00", grade="FY1")
    c = post(api, market, "2026-10-07T08:00", "2026-10-07T20:00", department=market.dept_b)
    admin = api(market.admin)

    def ids(query):
        return [s["id"] for s in admin.get(f"/api/v1/shifts?{query}").get_json()["items"]]

    assert ids("") == [a["id"], b["id"], c["id"]]
    assert ids(f"site_id={market.site_b.id}") == [c["id"]]
    assert ids("grade=FY1") == [b["id"]]
    assert ids("from=2026-10-06&to=2026-10-06") == [b["id"]]
    assert ids(f"department_id={market.dept_a.id}&status=open") == [a["id"], b["id"]]
    assert ids("status=booked") == []
    assert admin.get("/api/v1/shifts?from=2027-03-28T01:30").status_code == 422
    assert [s["id"] for s in api(market.coordinator_b).get("/api/v1/shifts").get_json()["items"]] == [c["id"]]


def test_bookings_upcoming_and_past(market, api):
    past = post(api, market, "2026-08-30T08:00", "2026-08-30T18:00", retrospective=True)
    future = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    api(market.coordinator_a).post(f"/api/v1/shifts/{past['id']}/assign", json={"doctor_id": market.doctor.id})
    api(market.doctor).post(f"/api/v1/shifts/{future['id']}/claim")
    me = api(market.doctor)
    assert [b["shift_id"] for b in me.get("/api/v1/bookings?when=upcoming").get_json()["items"]] == [future["id"]]
    assert [b["shift_id"] for b in me.get("/api/v1/bookings?when=past").get_json()["items"]] == [past["id"]]
    assert db.session.get(Shift, past["id"]).status == "booked"
