"""Pages: a doctor's alert settings and the admin outbox."""
import pytest

from bankapp.extensions import db
from bankapp.notifications.models import AlertGrade, AlertPreference, AlertSite, OutboxMessage, SmsOptOut
from tests.factories import PASSWORD


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def doctor(world, factory, client):
    user = factory.doctor("ST3", sms_opt_in=False, mobile="+447700900123")
    db.session.commit()
    login(client, user)
    return user


def test_alerts_page_shows_the_form(client, doctor):
    page = client.get("/profile/alerts")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="mobile"' in html and "Send me a test message" in html
    assert "CONS" not in html  # grades above theirs are not offered
    assert "Alpha Hospital" in html


def test_doctor_saves_number_opt_in_and_choices(client, world, doctor):
    response = client.post("/profile/alerts", data={
        "mobile": "07700 900456", "sms_opt_in": "yes", "sites": [str(world.site_b.id)],
        "grades": [str(world.grades["ST3"].id), str(world.grades["CT1"].id)], "days": ["5", "6"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert (doctor.mobile, doctor.sms_opt_in) == ("+447700900456", True)
    assert db.session.get(AlertPreference, doctor.id).days == 0b1100000
    assert [s.site_id for s in db.session.execute(db.select(AlertSite)).scalars()] == [world.site_b.id]
    assert len(db.session.execute(db.select(AlertGrade)).scalars().all()) == 2


def test_bad_mobile_is_shown_next_to_the_field(client, doctor):
    response = client.post("/profile/alerts", data={"mobile": "12345", "sms_opt_in": "yes", "days": ["0"]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="mobile-error"' in html and "Enter a mobile number like" in html
    assert "nhsuk-error-summary" in html and 'href="#mobile"' in html
    db.session.expire_all()
    assert doctor.mobile == "+447700900123"


def test_no_days_and_senior_grades_are_refused(client, world, doctor):
    response = client.post("/profile/alerts", data={"mobile": "+447700900123",
                                                    "grades": [str(world.grades["CONS"].id)]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose at least one day" in html and "Choose grades at or below your own" in html


def test_test_message_button_queues_a_test_text(client, doctor):
    client.post("/profile/alerts", data={"mobile": "+447700900123", "sms_opt_in": "yes",
                                         "days": [str(d) for d in range(7)]})
    response = client.post("/profile/alerts/test", follow_redirects=True)
    assert "A test text is on its way" in response.get_data(as_text=True)
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert (message.kind, message.to, message.status) == ("test", "+447700900123", "queued")


def test_test_message_needs_opt_in(client, doctor):
    response = client.post("/profile/alerts/test", follow_redirects=True)
    assert "Send me texts" in response.get_data(as_text=True)
    assert db.session.execute(db.select(OutboxMessage)).first() is None


def test_opted_out_number_is_explained(client, doctor):
    db.session.add(SmsOptOut(number=doctor.mobile))
    db.session.commit()
    assert "This number replied STOP" in client.get("/profile/alerts").get_data(as_text=True)


def test_alerts_page_is_for_doctors(client, world):
    login(client, world.admin)
    assert client.get("/profile/alerts").status_code == 403


def test_admin_searches_and_retries_messages(client, world):
    failed = OutboxMessage(to="+447700900002", body="Alpha body", kind="reminder", status="failed",
                           last_error="HTTP 400, Twilio error 21211: not a valid phone number")
    db.session.add_all([failed, OutboxMessage(to="+447700900001", body="Bravo body", kind="test", status="sent")])
    db.session.commit()
    login(client, world.admin)
    html = client.get("/admin/messages?status=failed").get_data(as_text=True)
    assert "Alpha body" in html and "Bravo body" not in html and "21211" in html and "Retry" in html
    html = client.get("/admin/messages?to=900001").get_data(as_text=True)
    assert "Bravo body" in html and "Alpha body" not in html
    response = client.post(f"/admin/messages/{failed.id}/retry", data={"status": "failed"})
    assert response.status_code == 302 and "status=failed" in response.location
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).status == "queued"


def test_messages_page_is_for_admins(client, world):
    login(client, world.doctor)
    assert client.get("/admin/messages").status_code == 403
