"""Changing a person's details and removing a document recorded in error (services, through the database)."""
import pytest

from bankapp.audit.models import AuditEvent
from bankapp.errors import Conflict, ValidationFailed
from bankapp.extensions import db
from bankapp.staff import services
from bankapp.staff.models import ComplianceDocument, DoctorProfile


def audit(action):
    return db.session.execute(db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).scalars().all()


def test_a_promotion_changes_the_grade_and_is_audited_with_before_and_after(world):
    doctor = world.doctor
    services.update_person(doctor, grade="CONS", actor=world.admin)
    db.session.commit()
    db.session.expire_all()
    assert doctor.doctor_profile.grade.code == "CONS"
    event = audit("user.updated")[-1]
    assert event.entity_id == str(doctor.id) and event.actor_id == world.admin.id
    assert event.before == {"grade": "ST3"} and event.after == {"grade": "CONS"}


def test_only_the_fields_given_change(world):
    doctor = world.doctor
    before = services.person_values(doctor)
    services.update_person(doctor, mobile="+447700900777", actor=world.admin)
    after = services.person_values(doctor)
    assert after == {**before, "mobile": "+447700900777"}


def test_nothing_changed_writes_no_audit_event(world):
    services.update_person(world.doctor, name=world.doctor.name, actor=world.admin)
    assert audit("user.updated") == []


def test_roles_and_sites_are_replaced(world):
    person = world.coordinator_a
    services.update_person(person, roles=["coordinator", "approver"], site_ids=[world.site_a.id, world.site_b.id],
                           actor=world.admin)
    db.session.commit()
    db.session.expire_all()
    assert person.role_names == ["coordinator", "approver"] and person.site_ids == sorted([world.site_a.id,
                                                                                           world.site_b.id])


def test_becoming_a_doctor_needs_a_grade_and_makes_a_profile(world):
    person = world.payroll
    with pytest.raises(ValidationFailed) as exc:
        services.update_person(person, roles=["payroll", "doctor"], actor=world.admin)
    assert exc.value.errors == {"grade": ["A doctor needs a grade."]}
    services.update_person(person, roles=["payroll", "doctor"], grade="FY2", esr_assignment_number="12345678-9",
                           actor=world.admin)
    db.session.commit()
    profile = db.session.get(DoctorProfile, person.id)
    assert profile.grade.code == "FY2" and profile.esr_assignment_number == "12345678-9" and profile.calendar_token


def test_giving_up_the_doctor_role_keeps_the_profile_for_payroll_history(world):
    doctor = world.doctor
    services.update_person(doctor, roles=["coordinator"], site_ids=[world.site_a.id], actor=world.admin)
    db.session.commit()
    assert db.session.get(DoctorProfile, doctor.id) is not None and not doctor.has_role("doctor")


def test_a_blank_grade_leaves_the_grade_as_it_is(world):
    services.update_person(world.doctor, grade=None, mobile="+447700900778", actor=world.admin)
    assert world.doctor.doctor_profile.grade.code == "ST3"


@pytest.mark.parametrize("changes, field", [
    ({"roles": []}, "roles"),
    ({"name": " "}, "name"),
    ({"grade": "XX9"}, "grade"),
    ({"site_ids": [987654]}, "site_ids"),
    ({"mobile": "07700900123"}, "mobile"),
    ({"roles": ["agency"], "agency_id": None}, "agency_id"),
])
def test_bad_changes_are_refused_naming_the_field_and_change_nothing(world, changes, field):
    doctor = world.doctor
    before = services.person_values(doctor)
    with pytest.raises(ValidationFailed) as exc:
        services.update_person(doctor, **changes, actor=world.admin)
    assert field in exc.value.errors
    db.session.rollback()
    db.session.expire_all()
    assert services.person_values(doctor) == before


def test_fields_outside_the_list_cannot_be_changed(world):
    with pytest.raises(ValidationFailed) as exc:
        services.update_person(world.doctor, password="new-password-123", actor=world.admin)
    assert "password" in exc.value.errors


def test_another_persons_email_or_numbers_are_refused(world, factory):
    other = factory.doctor("FY1")
    db.session.commit()
    with pytest.raises(Conflict):
        services.update_person(world.doctor, email=world.admin.email.upper(), actor=world.admin)
    with pytest.raises(Conflict) as exc:
        services.update_person(world.doctor, esr_assignment_number=other.doctor_profile.esr_assignment_number,
                               actor=world.admin)
    assert exc.value.errors == {"esr_assignment_number": ["Already in use."]}


def test_a_doctor_keeps_their_own_esr_number(world):
    number = world.doctor.doctor_profile.esr_assignment_number
    services.update_person(world.doctor, esr_assignment_number=number, name="Dr Renamed", actor=world.admin)
    assert world.doctor.name == "Dr Renamed"


def test_an_admin_cannot_take_their_own_admin_role_away(world):
    with pytest.raises(ValidationFailed) as exc:
        services.update_person(world.admin, roles=["payroll"], actor=world.admin)
    assert exc.value.errors["roles"] == ["You cannot take the admin role away from yourself."]


def test_a_document_entered_in_error_is_removed_and_the_audit_keeps_it(world):
    doc = db.session.execute(db.select(ComplianceDocument).filter_by(user_id=world.doctor.id, kind="dbs")).scalar()
    doc_id, expires = doc.id, doc.expires_on
    services.remove_document(doc, actor=world.admin)
    db.session.commit()
    assert db.session.get(ComplianceDocument, doc_id) is None
    assert "dbs" not in services.latest_documents(world.doctor.id)
    event = audit("document.removed")[-1]
    assert event.entity_id == str(doc_id) and event.before["kind"] == "dbs"
    assert event.before["expires_on"] == expires.isoformat()
