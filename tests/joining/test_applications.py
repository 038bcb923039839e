"""Joining the bank: apply, confirm the mobile, staffing's checks and decision, the set-password link."""
from datetime import timedelta

import pytest

from bankapp.auth.models import User
from bankapp.extensions import db
from bankapp.joining.models import Application, PasswordLink
from bankapp.joining.rules import REPEAT_MESSAGE
from bankapp.staff.models import ComplianceDocument

from .conftest import last_code, texts_to

MOBILE = "+447700900555"
CHECKS = {"documents_verified": True, "references_recorded": True, "right_to_work_and_id_seen": True,
          "grade_confirmed": True}


def test_applying_needs_no_login_and_texts_a_code(client, application_body):
    resp = client.post("/api/v1/applications", json=application_body())
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["status"] == "awaiting_mobile" and set(body) == {"id", "status", "token", "status_url"}
    code_text = texts_to(MOBILE, "application_code")
    assert len(code_text) == 1 and "code" in code_text[0].body


def test_every_field_is_checked_with_its_own_message(client):
    resp = client.post("/api/v1/applications", json={"email": "not-an-email", "mobile": "12345",
                                                     "gmc_number": "123456", "site_ids": []})
    assert resp.status_code == 422
    errors = resp.get_json()["errors"]
    assert set(errors) == {"name", "email", "mobile", "gmc_number", "grade", "site_ids"}
    assert errors["gmc_number"] == ["Enter your GMC number: 7 digits, like 7012345."]


def test_unknown_grade_and_sites_are_named(client, application_body):
    resp = client.post("/api/v1/applications", json=application_body(grade="ST9", site_ids=[999999]))
    assert resp.status_code == 422 and set(resp.get_json()["errors"]) == {"grade", "site_ids"}


def test_a_wrong_code_is_counted_even_on_the_error_and_three_need_a_new_code(client, application_body):
    app_id = client.post("/api/v1/applications", json=application_body()).get_json()["id"]
    code = last_code(MOBILE)
    wrong = "000000" if code != "000000" else "111111"
    answers = [client.post(f"/api/v1/applications/{app_id}/confirm", json={"code": wrong}) for _ in range(3)]
    assert [a.status_code for a in answers] == [422, 422, 422]
    assert "2 tries left" in answers[0].get_json()["errors"]["code"][0]
    assert db.session.get(Application, app_id).code_tries == 3
    late = client.post(f"/api/v1/applications/{app_id}/confirm", json={"code": code})
    assert late.status_code == 422 and "new code" in late.get_json()["detail"]
    assert client.post(f"/api/v1/applications/{app_id}/code").status_code == 202
    ok = client.post(f"/api/v1/applications/{app_id}/confirm", json={"code": last_code(MOBILE)})
    assert ok.status_code == 200 and ok.get_json()["status"] == "submitted"
    assert "/join/" in texts_to(MOBILE, "application_received")[0].body


def test_an_expired_code_needs_a_new_one(client, application_body, clock):
    app_id = client.post("/api/v1/applications", json=application_body()).get_json()["id"]
    clock.shift(timedelta(minutes=31))
    resp = client.post(f"/api/v1/applications/{app_id}/confirm", json={"code": last_code(MOBILE)})
    assert resp.status_code == 422 and "expired" in resp.get_json()["detail"]


@pytest.mark.parametrize("change", [{"email": "NIA.roberts@nhs.net"}, {"gmc_number": "7123456", "email": "x@nhs.net"}])
def test_one_live_application_per_email_and_gmc_number(client, application_body, submitted, change):
    resp = client.post("/api/v1/applications", json=application_body(**change))
    assert resp.status_code == 409 and resp.get_json()["detail"] == REPEAT_MESSAGE


def test_an_account_holder_gets_the_same_words_as_a_repeat(client, application_body, world):
    resp = client.post("/api/v1/applications", json=application_body(email=world.doctor.email))
    assert resp.status_code == 409 and resp.get_json()["detail"] == REPEAT_MESSAGE


def test_an_unconfirmed_application_lapses_after_a_day(client, application_body, clock):
    first = client.post("/api/v1/applications", json=application_body()).get_json()["id"]
    assert client.post("/api/v1/applications", json=application_body()).status_code == 409
    clock.shift(timedelta(hours=25))
    assert client.post("/api/v1/applications", json=application_body()).status_code == 201
    assert db.session.get(Application, first).status == "lapsed"


def test_staffing_sees_applications_for_its_sites(api, world, submitted, factory):
    staffing_b = factory.user(("staffing",), sites=[world.site_b])
    db.session.commit()
    mine = api(world.staffing_a).get("/api/v1/applications?status=submitted").get_json()["items"]
    assert [a["id"] for a in mine] == [submitted]
    assert api(staffing_b).get("/api/v1/applications").get_json()["items"] == []
    assert api(staffing_b).get(f"/api/v1/applications/{submitted}").status_code == 404
    assert api(world.coordinator_a).get("/api/v1/applications").status_code == 403


def test_approval_needs_every_check_and_then_makes_the_doctor(api, client, world, submitted):
    staffing = api(world.staffing_a)
    refused = staffing.post(f"/api/v1/applications/{submitted}/approve", json={})
    assert refused.status_code == 422 and len(refused.get_json()["reasons"]) == 4
    assert staffing.patch(f"/api/v1/applications/{submitted}",
                          json={**CHECKS, "esr_assignment_number": "10949599-1"}).status_code == 200
    assert staffing.post(f"/api/v1/applications/{submitted}/notes", json={"text": "Referees called"}
                         ).get_json()["notes"][0]["text"] == "Referees called"
    resp = staffing.post(f"/api/v1/applications/{submitted}/approve", json={"note": "Welcome"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    doctor = db.session.get(User, body["user_id"])
    assert body["status"] == "approved" and doctor.has_role("doctor") and doctor.site_ids == [world.site_a.id]
    assert doctor.doctor_profile.esr_assignment_number == "10949599-1"
    assert doctor.doctor_profile.gmc_number == "7123456"
    link_text = texts_to(MOBILE, "application_approved")[0].body
    token = link_text.split("/welcome/")[1].split()[0]
    # The link sets the password once, through the password rules.
    weak = client.post(f"/welcome/{token}", data={"password": "password"})
    assert weak.status_code == 422
    good = client.post(f"/welcome/{token}", data={"password": "Lantern-orbit-cascade-91"})
    assert good.status_code == 302
    assert client.post("/api/v1/auth/token", json={"email": "nia.roberts@nhs.net",
                                                  "password": "Lantern-orbit-cascade-91"}).status_code == 201
    assert client.get(f"/welcome/{token}").status_code == 404
    assert db.session.execute(db.select(PasswordLink)).scalar_one().used_at is not None


def test_the_link_expires_after_72_hours(api, client, world, submitted, clock):
    api(world.staffing_a).patch(f"/api/v1/applications/{submitted}", json=CHECKS)
    api(world.staffing_a).post(f"/api/v1/applications/{submitted}/approve", json={})
    token = texts_to(MOBILE, "application_approved")[0].body.split("/welcome/")[1].split()[0]
    clock.shift(timedelta(hours=72, minutes=1))
    assert client.get(f"/welcome/{token}").status_code == 404


def test_rejection_texts_the_reason(api, world, submitted):
    assert api(world.staffing_a).post(f"/api/v1/applications/{submitted}/reject", json={}).status_code == 422
    resp = api(world.staffing_a).post(f"/api/v1/applications/{submitted}/reject",
                                      json={"note": "We need a current GMC licence."})
    assert resp.status_code == 200 and resp.get_json()["status"] == "rejected"
    assert "We need a current GMC licence." in texts_to(MOBILE, "application_rejected")[0].body
    again = api(world.staffing_a).post(f"/api/v1/applications/{submitted}/approve", json={})
    assert again.status_code == 409


def test_nobody_decides_their_own_application(api, world, factory):
    """A staffing member whose email (or GMC number) is the application's cannot check or decide it."""
    from bankapp.joining.models import ApplicationSite

    applicant = factory.user(("staffing",), sites=[world.site_a], email="ada.staffing@nhs.net")
    app = Application(token="t-own", status="submitted", name="Ada", email=applicant.email, mobile=MOBILE,
                      gmc_number="7000001", grade_id=world.grades["ST3"].id,
                      site_links=[ApplicationSite(site_id=world.site_a.id)])
    db.session.add(app)
    db.session.commit()
    for action, body in (("reject", {"note": "x"}), ("approve", {})):
        resp = api(applicant).post(f"/api/v1/applications/{app.id}/{action}", json=body)
        assert resp.status_code == 403 and resp.get_json()["reasons"][0]["code"] == "own_request"
    assert api(applicant).patch(f"/api/v1/applications/{app.id}", json=CHECKS).status_code == 403


def test_uploaded_documents_become_the_doctors_verified_documents(api, world, submitted):
    from bankapp.joining.models import ApplicationDocument
    from bankapp.staff import storage
    from bankapp.timeutil import london_date, now_utc

    key = storage.store(b"%PDF-1.4\n")
    db.session.add(ApplicationDocument(application_id=submitted, kind="dbs", content_type="application/pdf",
                                       expires_on=london_date(now_utc()) + timedelta(days=500), file_key=key,
                                       file_size=9))
    db.session.commit()
    api(world.staffing_a).patch(f"/api/v1/applications/{submitted}", json=CHECKS)
    user_id = api(world.staffing_a).post(f"/api/v1/applications/{submitted}/approve", json={}).get_json()["user_id"]
    doc = db.session.execute(db.select(ComplianceDocument).filter_by(user_id=user_id)).scalar_one()
    assert doc.status == "verified" and doc.verified_by_id == world.staffing_a.id
    # The doctor's document owns a copy: removing it later leaves the application's record whole.
    assert doc.file_key != key and storage.storage().read(doc.file_key) == storage.storage().read(key)
    assert api(world.admin).delete(f"/api/v1/users/{user_id}/documents/{doc.id}").status_code == 204
    assert not (storage.storage().root / doc.file_key[:2] / doc.file_key).exists()
    assert storage.storage().read(key) == b"%PDF-1.4\n"


def test_anonymising_the_doctor_removes_their_application_details_and_files(api, client, world, submitted):
    from pathlib import Path

    from bankapp.joining.models import ApplicationDocument
    from bankapp.staff import storage
    from bankapp.timeutil import london_date, now_utc

    key = storage.store(b"%PDF-1.4\n")
    db.session.add(ApplicationDocument(application_id=submitted, kind="dbs", content_type="application/pdf",
                                       expires_on=london_date(now_utc()) + timedelta(days=500), file_key=key,
                                       file_size=9))
    db.session.commit()
    api(world.staffing_a).patch(f"/api/v1/applications/{submitted}", json=CHECKS)
    user_id = api(world.staffing_a).post(f"/api/v1/applications/{submitted}/approve", json={}).get_json()["user_id"]
    path = Path(storage.storage().root) / key[:2] / key
    assert path.exists()
    resp = api(world.admin).post(f"/api/v1/users/{user_id}/anonymise", json={"reason": "Left the trust"})
    assert resp.status_code == 200, resp.get_json()
    application = db.session.get(Application, submitted)
    db.session.refresh(application)
    assert application.name == "Anonymised applicant" and "roberts" not in application.email
    assert application.documents == [] and not path.exists()
