from datetime import date, timedelta

import pytest

from bankapp.auth.models import User
from bankapp.extensions import db


def _user(**over):
    body = {"email": "new.doctor@test.nhs.uk", "name": "Dr New", "password": "a-long-enough-password",
            "roles": ["doctor"], "grade": "ST3", "mobile": "+447700900555", "esr_assignment_number": "10949595-4"}
    body.update(over)
    return body


def test_admin_creates_doctor_with_profile(world, api):
    resp = api(world.admin).post("/api/v1/users", json=_user(site_ids=[world.site_a.id]))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["roles"] == ["doctor"] and body["grade"] == "ST3" and body["site_ids"] == [world.site_a.id]
    assert "password" not in body
    user = db.session.get(User, body["id"])
    assert user.password_hash.startswith("scrypt:")


def test_duplicate_email_is_409(world, api):
    resp = api(world.admin).post("/api/v1/users", json=_user(email=world.doctor.email.upper()))
    assert resp.status_code == 409


@pytest.mark.parametrize("field, value", [
    ("roles", ["doctor", "wizard"]),
    ("mobile", "07700900555"),
    ("mobile", "+44 7700 900555"),
    ("esr_assignment_number", "1234567-1"),
    ("esr_assignment_number", "12345678"),
    ("grade", "NOPE"),
    ("password", "short"),
    ("email", "not-an-email"),
])
def test_bad_user_fields_are_422_naming_the_field(world, api, field, value):
    resp = api(world.admin).post("/api/v1/users", json=_user(**{field: value}))
    assert resp.status_code == 422
    assert field in resp.get_json()["errors"]


def test_document_with_past_expiry_is_refused(world, api):
    resp = api(world.admin).post(f"/api/v1/users/{world.doctor.id}/documents",
                                 json={"kind": "dbs", "expires_on": (date.today() - timedelta(days=1)).isoformat()})
    assert resp.status_code == 422
    assert "expires_on" in resp.get_json()["errors"]


def test_document_with_unknown_kind_is_refused(world, api):
    resp = api(world.admin).post(f"/api/v1/users/{world.doctor.id}/documents",
                                 json={"kind": "passport", "expires_on": "2030-01-01"})
    assert resp.status_code == 422 and "kind" in resp.get_json()["errors"]


def test_document_added_and_listed_by_its_owner(world, api):
    resp = api(world.admin).post(f"/api/v1/users/{world.doctor.id}/documents",
                                 json={"kind": "dbs", "expires_on": "2031-05-01", "reference": "DBS-1"})
    assert resp.status_code == 201
    docs = api(world.doctor).get(f"/api/v1/users/{world.doctor.id}/documents").get_json()["items"]
    assert any(d["reference"] == "DBS-1" for d in docs)


def test_doctor_cannot_read_another_doctors_documents(world, api, factory):
    other = factory.doctor()
    db.session.commit()
    assert api(world.doctor).get(f"/api/v1/users/{other.id}/documents").status_code == 404


def test_agency_user_needs_an_agency(world, api):
    resp = api(world.admin).post("/api/v1/users", json=_user(roles=["agency"], grade=None,
                                                             esr_assignment_number=None))
    assert resp.status_code == 422 and "agency_id" in resp.get_json()["errors"]


def test_admin_creates_agency(world, api):
    resp = api(world.admin).post("/api/v1/agencies", json={"name": "Locums R Us", "tier": 2, "on_framework": False})
    assert resp.status_code == 201
    assert api(world.admin).post("/api/v1/agencies", json={"name": "X Y", "tier": 3,
                                                           "on_framework": True}).status_code == 422


def test_admin_changes_a_doctors_grade_and_mobile(world, api):
    resp = api(world.admin).patch(f"/api/v1/users/{world.doctor.id}", json={"grade": "CONS", "mobile": None})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["grade"] == "CONS" and body["mobile"] is None and body["roles"] == ["doctor"]


def test_patch_with_bad_fields_is_422_and_changes_nothing(world, api):
    resp = api(world.admin).patch(f"/api/v1/users/{world.doctor.id}",
                                  json={"roles": ["wizard"], "mobile": "07700", "name": "Dr Changed"})
    assert resp.status_code == 422
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert {"roles", "mobile"} <= set(resp.get_json()["errors"])
    db.session.expire_all()
    assert db.session.get(User, world.doctor.id).name == "Dr Default"


def test_patch_to_another_persons_email_is_409(world, api):
    resp = api(world.admin).patch(f"/api/v1/users/{world.doctor.id}", json={"email": world.payroll.email})
    assert resp.status_code == 409 and resp.get_json()["errors"] == {"email": ["Already in use."]}


def test_only_an_admin_changes_details_and_unknown_people_are_404(world, api):
    assert api(world.doctor).patch(f"/api/v1/users/{world.doctor.id}", json={"name": "Me"}).status_code == 403
    assert api(world.admin).patch("/api/v1/users/999999", json={"name": "Nobody"}).status_code == 404


def test_admin_removes_a_document_entered_in_error(world, api):
    admin = api(world.admin)
    docs = admin.get(f"/api/v1/users/{world.doctor.id}/documents").get_json()["items"]
    dbs = next(d for d in docs if d["kind"] == "dbs")
    assert admin.delete(f"/api/v1/users/{world.doctor.id}/documents/{dbs['id']}").status_code == 204
    left = admin.get(f"/api/v1/users/{world.doctor.id}/documents").get_json()["items"]
    assert dbs["id"] not in [d["id"] for d in left] and len(left) == len(docs) - 1
    # another person's document id under this person is not found
    other = next(d for d in left)
    assert admin.delete(f"/api/v1/users/{world.admin.id}/documents/{other['id']}").status_code == 404
