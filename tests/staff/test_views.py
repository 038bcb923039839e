"""Admin pages for people and their compliance documents (test client, CSRF off)."""
from datetime import date, timedelta

import pytest

from bankapp.auth.models import User
from bankapp.extensions import db
from bankapp.staff.models import ComplianceDocument
from bankapp.staff.services import document_status
from tests.factories import PASSWORD
from tests.org.test_views import field_error, log_in

TODAY = date(2026, 11, 23)


@pytest.fixture
def admin(client, world):
    return log_in(client, world.admin)


def person_form(**overrides):
    form = {"name": "Dr Asha Patel", "email": "asha.patel@test.nhs.uk", "password": "a-long-secret-9",
            "roles": ["doctor"], "grade": "ST3", "mobile": "+447700900123", "esr_assignment_number": "10949595-4",
            "gmc_number": "7123456", "sms_opt_in": "y"}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def find_user(email):
    return db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()


def test_people_page_lists_and_searches_by_name_email_and_role(admin, world):
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Coordinator A" in page and "Dr Default" in page
    page = admin.get("/admin/users?q=coordinator").get_data(as_text=True)
    assert "Coordinator A" in page and "Coordinator B" in page and "Dr Default" not in page
    page = admin.get(f"/admin/users?q={world.payroll.email}").get_data(as_text=True)
    assert world.payroll.email in page and "Coordinator A" not in page
    page = admin.get("/admin/users?role=approver").get_data(as_text=True)
    assert "Approver A" in page and "Coordinator A" not in page


def test_people_page_is_paged(admin, world, factory):
    for n in range(30):
        factory.user(("doctor",), name=f"Zed Paged {n:02d}", grade="FY1")
    db.session.commit()
    first = admin.get("/admin/users?q=zed").get_data(as_text=True)
    assert "Zed Paged 00" in first and "Zed Paged 24" in first and "Zed Paged 25" not in first
    assert 'href="/admin/users?q=zed&amp;page=2"' in first
    second = admin.get("/admin/users?q=zed&page=2").get_data(as_text=True)
    assert "Zed Paged 25" in second and "Zed Paged 29" in second and "Zed Paged 00" not in second


def test_add_doctor_redirects_to_their_page(admin, world):
    resp = admin.post("/admin/users", data=person_form(site_ids=[str(world.site_a.id)]))
    assert resp.status_code == 302
    user = find_user("asha.patel@test.nhs.uk")
    assert resp.location.endswith(f"/admin/users/{user.id}")
    assert user.role_names == ["doctor"] and user.site_ids == [world.site_a.id] and user.sms_opt_in
    assert user.doctor_profile.grade.code == "ST3"
    assert user.doctor_profile.esr_assignment_number == "10949595-4"
    page = admin.get(resp.location).get_data(as_text=True)
    assert "Dr Asha Patel added." in page and "10949595-4" in page and "Alpha Hospital" in page


def test_added_person_can_log_in_with_starting_password(client, world):
    log_in(client, world.admin)
    client.post("/admin/users", data=person_form(roles=["coordinator"], grade=None, esr_assignment_number=None,
                                                 gmc_number=None, site_ids=[str(world.site_b.id)]))
    client.post("/logout")
    resp = client.post("/login", data={"email": "asha.patel@test.nhs.uk", "password": "a-long-secret-9"})
    assert resp.status_code == 302


def test_duplicate_email_shows_message_next_to_email(admin, world):
    resp = admin.post("/admin/users", data=person_form(email=world.doctor.email.upper()))
    assert resp.status_code == 422
    assert "already exists" in field_error(resp, "email")
    assert 'value="Dr Asha Patel"' in resp.get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("mobile", "07700 900123", "E.164"),
    ("esr_assignment_number", "123456781", "10949595-4"),
    ("gmc_number", "12345", "7 digits"),
    ("email", "not-an-email", "email"),
    ("password", "short", "at least 12 characters"),
    ("grade", None, "A doctor needs a grade."),
])
def test_bad_person_input_is_shown_next_to_the_field(admin, world, field, value, message):
    resp = admin.post("/admin/users", data=person_form(**{field: value}))
    assert resp.status_code == 422
    assert message.lower() in field_error(resp, field).lower()
    assert find_user("asha.patel@test.nhs.uk") is None


def test_person_without_role_is_refused(admin, world):
    resp = admin.post("/admin/users", data=person_form(roles=None))
    assert resp.status_code == 422 and "Choose at least one role." in field_error(resp, "roles")


def test_duplicate_esr_number_is_refused(admin, world):
    esr = world.doctor.doctor_profile.esr_assignment_number
    resp = admin.post("/admin/users", data=person_form(esr_assignment_number=esr))
    assert resp.status_code == 422 and "belongs to someone else" in field_error(resp, "esr_assignment_number")


def test_agency_user_needs_an_agency(admin, world):
    resp = admin.post("/admin/users", data=person_form(roles=["agency"], grade=None, esr_assignment_number=None,
                                                       gmc_number=None))
    assert resp.status_code == 422 and "belongs to an agency" in field_error(resp, "agency_id")
    resp = admin.post("/admin/users", data=person_form(roles=["agency"], grade=None, esr_assignment_number=None,
                                                       gmc_number=None, agency_id=str(world.agency1.id)))
    assert resp.status_code == 302 and find_user("asha.patel@test.nhs.uk").agency_id == world.agency1.id


@pytest.mark.clock("2026-11-23T12:00:00+00:00")
def test_person_page_shows_document_expiry_tags(admin, world, factory):
    doctor = factory.doctor(documents=False, name="Dr Tags")
    for kind, days in (("dbs", 10), ("gmc_licence", 200)):
        factory_doc = ComplianceDocument(user_id=doctor.id, kind=kind, expires_on=TODAY + timedelta(days=days))
        db.session.add(factory_doc)
    db.session.add(ComplianceDocument(user_id=doctor.id, kind="right_to_work", expires_on=TODAY - timedelta(1)))
    db.session.commit()
    page = admin.get(f"/admin/users/{doctor.id}").get_data(as_text=True)
    assert "app-tag--document-expiring" in page and "Expires within 30 days" in page
    assert "app-tag--document-valid" in page and "app-tag--document-expired" in page


def test_document_status_boundaries():
    assert document_status(TODAY, TODAY) == "expiring"
    assert document_status(TODAY - timedelta(days=1), TODAY) == "expired"
    assert document_status(TODAY + timedelta(days=30), TODAY) == "expiring"
    assert document_status(TODAY + timedelta(days=31), TODAY) == "valid"


@pytest.mark.clock("2026-11-23T12:00:00+00:00")
def test_add_document_for_a_doctor(admin, world):
    doctor = world.doctor
    resp = admin.post(f"/admin/users/{doctor.id}/documents",
                      data={"kind": "dbs", "expires_on": "2027-03-31", "reference": "001234567890"})
    assert resp.status_code == 302 and resp.location.endswith(f"/admin/users/{doctor.id}")
    doc = db.session.execute(db.select(ComplianceDocument).filter_by(reference="001234567890")).scalar_one()
    assert (doc.kind, doc.expires_on, doc.created_by_id) == ("dbs", date(2027, 3, 31), world.admin.id)


@pytest.mark.clock("2026-11-23T12:00:00+00:00")
def test_past_expiry_is_shown_next_to_the_date(admin, world):
    resp = admin.post(f"/admin/users/{world.doctor.id}/documents", data={"kind": "dbs", "expires_on": "2026-11-22"})
    assert resp.status_code == 422
    assert "The expiry date is in the past." in field_error(resp, "expires_on")


def test_document_without_kind_or_with_bad_date_is_refused(admin, world):
    resp = admin.post(f"/admin/users/{world.doctor.id}/documents", data={"kind": "", "expires_on": "31/02/2027"})
    assert resp.status_code == 422
    assert "Choose the kind of document." in field_error(resp, "kind")
    assert "real date" in field_error(resp, "expires_on")
    resp = admin.post(f"/admin/users/{world.doctor.id}/documents",
                      data={"kind": "passport", "expires_on": "2030-01-01"})
    assert resp.status_code == 422 and "Unknown kind" in field_error(resp, "kind")


def test_unknown_person_is_404(admin):
    assert admin.get("/admin/users/9999").status_code == 404


def test_deactivated_person_cannot_log_in_until_reactivated(client, world):
    log_in(client, world.admin)
    resp = client.post(f"/admin/users/{world.doctor.id}/active", data={"active": "0"})
    assert resp.status_code == 302
    assert "Deactivated" in client.get(resp.location).get_data(as_text=True)
    client.post("/logout")
    assert client.post("/login", data={"email": world.doctor.email, "password": PASSWORD}).status_code == 401
    log_in(client, world.admin)
    client.post(f"/admin/users/{world.doctor.id}/active", data={"active": "1"})
    client.post("/logout")
    assert client.post("/login", data={"email": world.doctor.email, "password": PASSWORD}).status_code == 302


def test_admin_cannot_deactivate_themselves(admin, world):
    resp = admin.post(f"/admin/users/{world.admin.id}/active", data={"active": "0"})
    assert resp.status_code == 422
    assert "You cannot deactivate your own account." in resp.get_data(as_text=True)
    assert db.session.get(User, world.admin.id).active


@pytest.mark.parametrize("method, url", [("get", "/admin/users"), ("post", "/admin/users"),
                                         ("get", "/admin/users/{id}"), ("post", "/admin/users/{id}/documents"),
                                         ("post", "/admin/users/{id}/active")])
def test_non_admin_gets_403(client, world, method, url):
    log_in(client, world.approver_a)
    resp = getattr(client, method)(url.format(id=world.doctor.id), data={"active": "0"})
    assert resp.status_code == 403
    assert db.session.get(User, world.doctor.id).active


def details_form(world, **overrides):
    form = {"name": "Dr Default", "email": world.doctor.email, "roles": ["doctor"], "grade": "ST3",
            "mobile": world.doctor.mobile, "esr_assignment_number": world.doctor.doctor_profile.esr_assignment_number,
            "gmc_number": world.doctor.doctor_profile.gmc_number, "agency_id": ""}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_person_page_offers_their_details_filled_in(admin, world):
    page = admin.get(f"/admin/users/{world.doctor.id}").get_data(as_text=True)
    assert "Change Dr Default&#39;s details" in page or "Change Dr Default's details" in page
    assert f'value="{world.doctor.email}"' in page and f'value="{world.doctor.mobile}"' in page


def test_admin_promotes_a_doctor_and_clears_their_mobile(admin, world):
    resp = admin.post(f"/admin/users/{world.doctor.id}/details", data=details_form(world, grade="CONS", mobile=""))
    assert resp.status_code == 302
    page = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "details are saved" in page and "CONS – Consultant" in page
    db.session.expire_all()
    assert db.session.get(User, world.doctor.id).mobile is None


def test_bad_details_are_shown_next_to_the_field_and_nothing_changes(admin, world):
    resp = admin.post(f"/admin/users/{world.doctor.id}/details",
                      data=details_form(world, roles=None, mobile="07700 900123", name="Dr Changed"))
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "Give at least one role." in field_error(resp, "roles")
    assert "E.164" in field_error(resp, "mobile")
    assert 'value="Dr Changed"' in page  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(User, world.doctor.id).name == "Dr Default"


def test_details_with_another_persons_email_are_refused(admin, world):
    resp = admin.post(f"/admin/users/{world.doctor.id}/details", data=details_form(world, email=world.payroll.email))
    assert resp.status_code == 422
    assert "already exists" in field_error(resp, "email")


def test_admin_removes_a_document_from_the_person_page(admin, world):
    doc = db.session.execute(db.select(ComplianceDocument).filter_by(user_id=world.doctor.id, kind="dbs")).scalar()
    resp = admin.post(f"/admin/users/{world.doctor.id}/documents/{doc.id}/remove")
    assert resp.status_code == 302
    page = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "DBS check (expiring" in page and "removed from Dr Default" in page
    assert admin.post(f"/admin/users/{world.admin.id}/documents/{doc.id}/remove").status_code == 404
