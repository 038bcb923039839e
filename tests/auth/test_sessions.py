"""Sessions the server ends: logging out, a new password, deactivation, a role taken away or anonymisation
end every session of that person, so a session cookie copied off a ward PC stops working."""
import pytest

from bankapp.audit.models import AuditEvent
from bankapp.auth.models import ApiToken
from bankapp.extensions import db
from tests.factories import PASSWORD

NEW_PASSWORD = "violet-kettle-harbour-42"


def _logged_in(app, user, password=PASSWORD):
    client = app.test_client()
    resp = client.post("/login", data={"email": user.email, "password": password})
    assert resp.status_code == 302, resp.status_code
    return client


def _copy(app, client):
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client, path="/"):
    return client.get(path).status_code == 200


def test_a_copied_cookie_works_until_logout_then_stops(app, world):
    ward_pc = _logged_in(app, world.payroll)
    copy = _copy(app, ward_pc)
    assert _signed_in(copy, "/payroll")
    ward_pc.post("/logout")
    resp = copy.get("/payroll")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_logging_out_ends_the_persons_sessions_on_other_devices(app, world):
    phone, desktop = _logged_in(app, world.doctor), _logged_in(app, world.doctor)
    phone.post("/logout")
    assert not _signed_in(desktop)


def test_logging_out_leaves_other_peoples_sessions_alone(app, world):
    doctor, admin = _logged_in(app, world.doctor), _logged_in(app, world.admin)
    doctor.post("/logout")
    assert _signed_in(admin)


def test_logging_in_again_after_logout_works(app, world):
    client = _logged_in(app, world.doctor)
    client.post("/logout")
    assert _signed_in(_logged_in(app, world.doctor))


def test_a_session_without_the_version_stamp_is_not_accepted(app, world):
    client = app.test_client()
    with client.session_transaction() as session:  # a cookie signed with the key but never issued at login
        session["_user_id"] = str(world.admin.id)
        session["_fresh"] = True
    assert not _signed_in(client)


def test_changing_the_password_ends_every_other_session_and_revokes_tokens(app, world, api):
    here, elsewhere = _logged_in(app, world.doctor), _logged_in(app, world.doctor)
    copy = _copy(app, here)
    token = api(world.doctor)
    resp = here.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert resp.status_code == 302
    assert _signed_in(here)  # the browser that changed it stays in, with a new session
    assert not _signed_in(elsewhere) and not _signed_in(copy)
    assert token.get("/api/v1/sites").status_code == 401
    db.session.expire_all()
    assert all(t.revoked_at is not None for t in db.session.execute(db.select(ApiToken)).scalars())
    event = db.session.execute(db.select(AuditEvent).filter_by(action="user.password_changed")).scalar_one()
    assert event.entity_id == str(world.doctor.id) and event.after == {"tokens_revoked": 1}
    assert _logged_in(app, world.doctor, NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing(app, world):
    client = _logged_in(app, world.doctor)
    resp = client.post("/account/password", data={"current_password": "not-it-at-all", "new_password": NEW_PASSWORD})
    assert resp.status_code == 422
    assert "Enter your current password as it is now." in resp.get_data(as_text=True)
    assert _logged_in(app, world.doctor, PASSWORD)


def test_a_weak_new_password_is_refused_saying_why(app, world):
    client = _logged_in(app, world.doctor)
    resp = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "aaaaaaaaaaaa"})
    assert resp.status_code == 422
    assert "too easy to guess" in resp.get_data(as_text=True)
    assert _signed_in(client)  # nothing ended


def test_deactivation_ends_the_persons_sessions(app, world):
    doctor, admin = _logged_in(app, world.doctor), _logged_in(app, world.admin)
    assert admin.post(f"/admin/users/{world.doctor.id}/active", data={"active": "0"}).status_code == 302
    assert not _signed_in(doctor)
    admin.post(f"/admin/users/{world.doctor.id}/active", data={"active": "1"})
    assert not _signed_in(doctor)  # reactivating does not bring the old session back


def test_taking_a_role_away_ends_the_persons_sessions(app, world, api):
    coordinator = _logged_in(app, world.coordinator_a)
    resp = api(world.admin).patch(f"/api/v1/users/{world.coordinator_a.id}", json={"roles": ["approver"]})
    assert resp.status_code == 200
    assert not _signed_in(coordinator)


def test_giving_a_role_keeps_the_persons_sessions(app, world, api):
    coordinator = _logged_in(app, world.coordinator_a)
    resp = api(world.admin).patch(f"/api/v1/users/{world.coordinator_a.id}",
                                  json={"roles": ["coordinator", "approver"]})
    assert resp.status_code == 200
    assert _signed_in(coordinator)


def test_anonymisation_ends_the_persons_sessions(app, world, api, factory):
    leaver = factory.doctor("ST3")
    db.session.commit()
    session = _logged_in(app, leaver)
    assert api(world.admin).post(f"/api/v1/users/{leaver.id}/anonymise", json={"reason": "Left"}).status_code == 200
    assert not _signed_in(session)


@pytest.mark.parametrize("path", ["/account/password"])
def test_the_password_page_needs_a_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_the_password_page_is_in_everyones_menu(app, world):
    for user in (world.doctor, world.admin, world.agency_user1):
        page = _logged_in(app, user).get("/").get_data(as_text=True)
        assert 'href="/account/password"' in page

