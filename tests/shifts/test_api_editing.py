"""Editing a shift through the API (PATCH /shifts/{id}): only what is sent, the rate check again, notes once booked.

ST3 on the test card pays 60 £/h on a weekday day: Mon 5 Oct 2026 08:00-20:00 costs 720.00 by the card,
70 £/h is 16.67% over (an approver decides), 80 £/h 33.33% over (an executive must).
"""
from bankapp.audit.models import AuditEvent
from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage
from bankapp.rates.models import RateViolation
from bankapp.shifts.models import Shift

from .conftest import booked, post

START, END = "2026-10-05T08:00", "2026-10-05T20:00"


def _patch(api, user, shift_id, body):
    return api(user).patch(f"/api/v1/shifts/{shift_id}", json=body)


def _edits(shift_id):
    return db.session.execute(db.select(AuditEvent).filter_by(action="shift.edited", entity_id=str(shift_id))
                              .order_by(AuditEvent.id)).scalars().all()


def _violations(shift_id):
    return db.session.execute(db.select(RateViolation).filter_by(shift_id=shift_id).order_by(RateViolation.id)
                              ).scalars().all()


def test_only_the_fields_sent_change_and_the_edit_is_audited_before_and_after(market, api):
    shift = post(api, market, START, END)
    resp = _patch(api, market.coordinator_a, shift["id"], {"end": "2026-10-05T17:00"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["start"] == shift["start"] and body["end"] == "2026-10-05T17:00:00+01:00"
    assert body["status"] == "open" and body["grade"] == "ST3" and body["pay_estimate"]["total"] == "540.00"
    (event,) = _edits(shift["id"])
    assert event.before == {"end": "2026-10-05T19:00:00+00:00"}  # the audit trail keeps UTC
    assert event.after == {"end": "2026-10-05T16:00:00+00:00"}
    assert event.actor_id == market.coordinator_a.id


def test_sending_what_the_shift_already_says_changes_nothing(market, api):
    shift = post(api, market, START, END)
    resp = _patch(api, market.coordinator_a, shift["id"], {"start": START, "grade": "ST3"})
    assert resp.status_code == 200 and _edits(shift["id"]) == []


def test_a_rate_above_the_card_holds_an_open_shift_with_a_new_violation(market, api):
    shift = post(api, market, START, END)
    body = _patch(api, market.coordinator_a, shift["id"], {"hourly_rate": "70.00", "reason": "No claims"}).get_json()
    assert body["status"] == "pending_rate_approval" and body["reason"] == "No claims"
    assert body["rate_violation"]["status"] == "pending" and body["rate_violation"]["required_role"] == "approver"
    assert body["rate_violation"]["percent_over"] == "16.67"


def test_a_held_shift_brought_back_to_card_rates_opens_and_its_pending_violation_is_withdrawn(market, api):
    shift = post(api, market, START, END, hourly_rate="80.00")
    assert shift["status"] == "pending_rate_approval"
    body = _patch(api, market.coordinator_a, shift["id"], {"hourly_rate": None}).get_json()
    assert body["status"] == "open" and body["hourly_rate"] is None
    assert [v.status for v in _violations(shift["id"])] == ["withdrawn"]
    assert db.session.get(Shift, shift["id"]).opened_at is not None


def test_a_held_shift_still_above_the_card_gets_a_new_violation_for_the_new_terms(market, api):
    shift = post(api, market, START, END, hourly_rate="80.00")
    body = _patch(api, market.coordinator_a, shift["id"], {"hourly_rate": "70.00"}).get_json()
    assert body["status"] == "pending_rate_approval"
    old, new = _violations(shift["id"])
    assert (old.status, new.status) == ("withdrawn", "pending")
    assert (old.required_role, new.required_role) == ("executive", "approver")
    assert body["rate_violation"]["id"] == new.id
    # The withdrawn one can no longer be decided.
    resp = api(market.executive).post(f"/api/v1/rate-violations/{old.id}/approve", json={"note": "ok"})
    assert resp.status_code == 409


def test_an_approved_rate_does_not_cover_new_times(market, api):
    shift = post(api, market, START, END, hourly_rate="70.00")
    violation_id = shift["rate_violation"]["id"]
    assert api(market.approver_a).post(f"/api/v1/rate-violations/{violation_id}/approve",
                                       json={"note": "ok"}).status_code == 200
    body = _patch(api, market.coordinator_a, shift["id"], {"end": "2026-10-05T21:00"}).get_json()
    assert body["status"] == "pending_rate_approval" and body["rate_violation"]["id"] != violation_id


def test_changing_the_grade_reprices_a_card_rate_shift(market, api):
    shift = post(api, market, START, END)
    body = _patch(api, market.coordinator_a, shift["id"], {"grade": "CONS"}).get_json()
    assert body["grade"] == "CONS" and body["pay_estimate"]["total"] != shift["pay_estimate"]["total"]
    (event,) = _edits(shift["id"])
    assert (event.before, event.after) == ({"grade": "ST3"}, {"grade": "CONS"})


def test_bad_times_and_unknown_grades_are_422_on_their_fields(market, api):
    shift = post(api, market, START, END)
    cases = [({"end": "2026-10-05T07:00"}, "end"), ({"end": "2026-10-06T09:00"}, "end"),
             ({"start": "2026-08-01T08:00", "end": "2026-08-01T20:00"}, "start"), ({"grade": "XX9"}, "grade"),
             ({"hourly_rate": "0.00"}, "hourly_rate"), ({"start": None}, "start"), ({"colour": "red"}, "colour")]
    for patch, field in cases:
        resp = _patch(api, market.coordinator_a, shift["id"], patch)
        assert resp.status_code == 422, patch
        assert field in resp.get_json()["errors"], (patch, resp.get_json())
    assert _edits(shift["id"]) == []


def test_a_booked_shift_takes_notes_and_its_doctor_is_texted_them(market, api, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True, mobile="+447700900123")
    booking = booked(market, doctor, START, END)
    shift_id = booking.shift_id
    resp = _patch(api, market.coordinator_a, shift_id, {"notes": "Report to ward 5, not the ED."})
    assert resp.status_code == 200 and resp.get_json()["notes"] == "Report to ward 5, not the ED."
    resp = _patch(api, market.coordinator_a, shift_id, {"notes": ""})
    assert resp.status_code == 200 and resp.get_json()["notes"] is None
    texts = db.session.execute(db.select(OutboxMessage).filter_by(kind="shift_changed", to=doctor.mobile)
                               .order_by(OutboxMessage.id)).scalars().all()
    assert len(texts) == 2
    assert '"Report to ward 5, not the ED."' in texts[0].body and "Mon 5 Oct 08:00-20:00" in texts[0].body
    assert "was removed" in texts[1].body


def test_a_booked_shift_refuses_new_terms_with_409_and_changes_nothing(market, api):
    booking = booked(market, market.doctor, START, END)
    resp = _patch(api, market.coordinator_a, booking.shift_id, {"end": "2026-10-05T18:00", "notes": "Ward 5"})
    assert resp.status_code == 409 and "only its notes" in resp.get_json()["detail"]
    shift = db.session.get(Shift, booking.shift_id)
    assert shift.notes is None and _edits(shift.id) == []


def test_a_cancelled_shift_cannot_be_edited(market, api):
    shift = post(api, market, START, END)
    api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/cancel", json={"reason": "Ward closed"})
    resp = _patch(api, market.coordinator_a, shift["id"], {"notes": "Anything"})
    assert resp.status_code == 409 and "cancelled" in resp.get_json()["detail"]


def test_only_the_sites_coordinators_and_admins_edit(market, api):
    shift = post(api, market, START, END)
    assert _patch(api, market.coordinator_b, shift["id"], {"notes": "x"}).status_code == 404
    assert _patch(api, market.doctor, shift["id"], {"notes": "x"}).status_code == 403
    assert _patch(api, market.approver_a, shift["id"], {"notes": "x"}).status_code == 403
    assert _patch(api, market.admin, shift["id"], {"notes": "From the admin"}).status_code == 200


def test_a_withdrawn_violation_is_not_a_breach_but_the_new_one_is(market, api):
    shift = post(api, market, START, END, hourly_rate="80.00")
    _patch(api, market.coordinator_a, shift["id"], {"hourly_rate": "70.00"})
    old, new = _violations(shift["id"])
    items = api(market.executive).get("/api/v1/reports/breaches?from=2026-08-01&to=2026-12-31").get_json()["items"]
    assert [i["id"] for i in items if i["type"] == "rate_violation"] == [f"rate_violation-{new.id}"]
