"""A person's copy of their data, and anonymising a departed doctor without breaking payroll history."""
import json
from datetime import timedelta

from bankapp.audit.models import AuditEvent
from bankapp.auth.models import ApiToken
from bankapp.extensions import db
from bankapp.notifications.models import AlertPreference, AlertSite, OutboxMessage
from bankapp.notifications.services import enqueue_for_user
from bankapp.staff.models import ComplianceDocument
from bankapp.timesheets.models import PayLine
from bankapp.timeutil import now_utc
from tests.factories import PASSWORD, make_booking, make_shift
from tests.timesheets.helpers import approve, make_card, submit, worked

PAST_START, PAST_END = "2026-01-10T08:00", "2026-01-10T20:00"


def _login(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def _approved_timesheet(world, doctor):
    make_card(world)
    booking = worked(world, PAST_START, PAST_END, doctor=doctor)
    return approve(submit(booking), world.approver_a)


def _future_booking(world, doctor):
    start = now_utc() + timedelta(days=3)
    shift = make_shift(department=world.dept_a, grade=world.grades["ST3"], start=start,
                       end=start + timedelta(hours=8), posted_by=world.coordinator_a)
    booking = make_booking(shift, doctor)
    db.session.commit()
    return booking


def _text(user, body):
    user.sms_opt_in = True
    enqueue_for_user(user, kind="shift_alert", body=body)
    db.session.commit()


# ---- export ---------------------------------------------------------------------

def test_doctor_downloads_everything_held_about_them(world, api, factory):
    ts = _approved_timesheet(world, world.doctor)
    _text(world.doctor, "Shift for you at Alpha")
    data = api(world.doctor).get("/api/v1/me/data")
    assert data.status_code == 200
    body = data.get_json()
    assert body["profile"]["email"] == world.doctor.email and body["profile"]["roles"] == ["doctor"]
    assert body["doctor_profile"]["esr_assignment_number"] == world.doctor.doctor_profile.esr_assignment_number
    assert body["doctor_profile"]["grade"]["code"] == "ST3"
    assert len(body["documents"]) == 5
    [booking] = body["bookings"]
    assert booking["shift"]["start"] == "2026-01-10T08:00:00+00:00" and booking["shift"]["site"] == "Alpha Hospital"
    [sheet] = body["timesheets"]
    assert sheet["id"] == ts.id and sheet["status"] == "approved"
    assert sheet["pay_lines"] and sheet["pay_total"] == "840.00"  # a Saturday: 12 h weekend day
    assert [m["body"] for m in body["messages"]] == ["Shift for you at Alpha"]
    actions = {e["action"] for e in body["audit_events"]}
    assert {"user.created", "document.added", "timesheet.approved"} <= actions


def test_export_never_contains_another_persons_data(world, api, factory):
    other = factory.doctor(name="Dr Someone Else")
    db.session.commit()
    _approved_timesheet(world, other)
    _text(other, "Text for someone else")
    # A text to the doctor's number but addressed to another user (number reused) is not theirs.
    db.session.add(OutboxMessage(to=world.doctor.mobile, user_id=other.id, body="old owner's text", kind="x"))
    db.session.commit()
    raw = api(world.doctor).get("/api/v1/me/data").get_data(as_text=True)
    for secret in (other.email, other.name, other.mobile, other.doctor_profile.gmc_number,
                   other.doctor_profile.esr_assignment_number, "Text for someone else", "old owner's text",
                   world.approver_a.name, world.approver_a.email):
        assert secret not in raw
    body = json.loads(raw)
    assert body["bookings"] == [] and body["timesheets"] == []
    staff_events = [e for e in body["audit_events"] if e["by"] not in ("you", "system")]
    assert all(e["by"] == "trust staff" for e in staff_events)


def test_export_is_audited(world, api):
    api(world.doctor).get("/api/v1/me/data")
    event = db.session.execute(db.select(AuditEvent).filter_by(action="personal_data.exported")).scalar_one()
    assert event.entity_id == str(world.doctor.id) and event.actor_id == world.doctor.id


def test_export_needs_a_token(client, world):
    assert client.get("/api/v1/me/data").status_code == 401


def test_every_role_can_download_their_own_data(world, api):
    body = api(world.coordinator_a).get("/api/v1/me/data").get_json()
    assert body["doctor_profile"] is None
    assert body["sites"] == [{"id": world.site_a.id, "code": "AAA", "name": "Alpha Hospital"}]


def test_my_data_page_and_json_download(client, world):
    _login(client, world.doctor)
    page = client.get("/me/data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Download your data (JSON)" in html and world.doctor.email in html
    resp = client.get("/me/data/download")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="staff-bank-my-data-')
    assert json.loads(resp.get_data(as_text=True))["profile"]["id"] == world.doctor.id


def test_my_data_page_needs_login(client):
    assert client.get("/me/data").status_code == 302
    assert client.get("/me/data/download").status_code == 302


# ---- anonymise ------------------------------------------------------------------

def test_admin_anonymises_a_departed_doctor_and_payroll_history_stays(world, api):
    doctor = world.doctor
    ts = _approved_timesheet(world, doctor)
    esr = doctor.doctor_profile.esr_assignment_number
    lines_before = [(p.band, p.minutes, p.amount) for p in ts.pay_lines]
    db.session.add_all([AlertPreference(user_id=doctor.id, days=31), AlertSite(user_id=doctor.id,
                                                                              site_id=world.site_a.id)])
    _text(doctor, "Shift for Dr Default")
    doctor_api = api(doctor)
    resp = api(world.admin).post(f"/api/v1/users/{doctor.id}/anonymise", json={"reason": "Left the trust"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["name"] == f"Anonymised person {doctor.id}" and body["email"].endswith(".invalid")
    assert body["mobile"] is None and body["gmc_number"] is None and body["active"] is False
    assert body["esr_assignment_number"] == esr
    db.session.expire_all()
    assert db.session.execute(db.select(ComplianceDocument).filter_by(user_id=doctor.id)).first() is None
    assert db.session.get(AlertPreference, doctor.id) is None
    assert db.session.execute(db.select(AlertSite).filter_by(user_id=doctor.id)).first() is None
    assert all(t.revoked_at for t in db.session.execute(db.select(ApiToken).filter_by(user_id=doctor.id)).scalars())
    assert doctor_api.get("/api/v1/me/data").status_code == 401
    message = db.session.execute(db.select(OutboxMessage).filter_by(user_id=doctor.id)).scalar_one()
    assert message.to == "redacted" and "Dr Default" not in message.body and message.status == "suppressed"
    kept = db.session.execute(db.select(PayLine).filter_by(timesheet_id=ts.id).order_by(PayLine.position)).scalars()
    assert [(p.band, p.minutes, p.amount) for p in kept] == lines_before
    event = db.session.execute(db.select(AuditEvent).filter_by(action="user.anonymised")).scalar_one()
    assert event.actor_id == world.admin.id and event.after["reason"] == "Left the trust"
    assert "Dr Default" not in json.dumps(event.after) and event.before is None


def test_anonymised_doctor_cannot_log_in(client, world, api):
    email = world.doctor.email
    api(world.admin).post(f"/api/v1/users/{world.doctor.id}/anonymise", json={})
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 401


def test_future_bookings_refuse_anonymising_with_409_naming_them(world, api):
    booking = _future_booking(world, world.doctor)
    resp = api(world.admin).post(f"/api/v1/users/{world.doctor.id}/anonymise", json={})
    assert resp.status_code == 409
    body = resp.get_json()
    assert body["reasons"][0]["code"] == "future_booking"
    assert f"Booking {booking.id}: shift {booking.shift_id}" in body["reasons"][0]["message"]
    db.session.expire_all()
    assert world.doctor.name == "Dr Default" and world.doctor.active


def test_cancelled_future_bookings_do_not_block(world, api):
    _future_booking(world, world.doctor).status = "cancelled"
    db.session.commit()
    assert api(world.admin).post(f"/api/v1/users/{world.doctor.id}/anonymise", json={}).status_code == 200


def test_second_anonymise_is_409(world, api):
    admin = api(world.admin)
    assert admin.post(f"/api/v1/users/{world.doctor.id}/anonymise", json={}).status_code == 200
    assert admin.post(f"/api/v1/users/{world.doctor.id}/anonymise", json={}).status_code == 409


def test_only_admins_anonymise(world, api):
    for user in (world.doctor, world.coordinator_a, world.executive):
        assert api(user).post(f"/api/v1/users/{world.doctor.id}/anonymise", json={}).status_code == 403


def test_unknown_user_is_404_and_self_is_422(world, api):
    admin = api(world.admin)
    assert admin.post("/api/v1/users/999999/anonymise", json={}).status_code == 404
    resp = admin.post(f"/api/v1/users/{world.admin.id}/anonymise", json={})
    assert resp.status_code == 422 and "user_id" in resp.get_json()["errors"]


def test_reason_too_long_is_422(world, api):
    resp = api(world.admin).post(f"/api/v1/users/{world.doctor.id}/anonymise", json={"reason": "x" * 501})
    assert resp.status_code == 422 and "reason" in resp.get_json()["errors"]


def test_anonymise_page_confirms_then_anonymises(client, world):
    _login(client, world.admin)
    url = f"/admin/users/{world.doctor.id}/anonymise"
    html = client.get(url).get_data(as_text=True)
    assert "Anonymise Dr Default" in html and "What is kept" in html
    resp = client.post(url, data={"reason": "Left"}, follow_redirects=True)
    assert resp.status_code == 200
    assert "has been anonymised" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert world.doctor.anonymised_at is not None


def test_anonymise_page_lists_future_bookings_instead_of_the_button(client, world):
    booking = _future_booking(world, world.doctor)
    _login(client, world.admin)
    html = client.get(f"/admin/users/{world.doctor.id}/anonymise").get_data(as_text=True)
    assert f"Shift {booking.shift_id}" in html and "Anonymise this person" not in html
    resp = client.post(f"/admin/users/{world.doctor.id}/anonymise", data={})
    assert resp.status_code == 409 and "Cancel or reassign" in resp.get_data(as_text=True)


def test_anonymise_page_is_admin_only(client, world):
    _login(client, world.coordinator_a)
    assert client.get(f"/admin/users/{world.doctor.id}/anonymise").status_code == 403
    assert client.post(f"/admin/users/{world.doctor.id}/anonymise").status_code == 403
