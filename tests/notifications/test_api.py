"""The admin outbox API: list, filter, retry."""
import pytest

from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage, SmsOptOut


@pytest.fixture
def outbox(world):
    rows = [OutboxMessage(to="+447700900001", body="one", kind="shift_alert", status="sent"),
            OutboxMessage(to="+447700900002", body="two", kind="reminder", status="failed", attempts=1,
                          last_error="HTTP 400, Twilio error 21211: not a valid phone number"),
            OutboxMessage(to="+447700900001", body="three", kind="reminder", status="queued")]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_admin_lists_the_outbox_with_contract_fields(api, world, outbox):
    response = api(world.admin).get("/api/v1/messages")
    assert response.status_code == 200
    body = response.get_json()
    assert body["next"] is None
    first = body["items"][0]
    assert {"id", "to", "body", "kind", "status", "created_at"} <= set(first)
    assert first["created_at"].endswith(("+00:00", "+01:00"))


@pytest.mark.parametrize(("query", "bodies"), [("to=%2B447700900001", ["one", "three"]), ("to=900002", ["two"]),
                                               ("status=failed", ["two"]), ("kind=reminder", ["two", "three"]),
                                               ("to=%2B447700900001&kind=reminder", ["three"])])
def test_messages_can_be_filtered(api, world, outbox, query, bodies):
    items = api(world.admin).get(f"/api/v1/messages?{query}").get_json()["items"]
    assert [i["body"] for i in items] == bodies


def test_bad_status_filter_is_422_with_the_field(api, world):
    response = api(world.admin).get("/api/v1/messages?status=lost")
    assert response.status_code == 422
    assert "status" in response.get_json()["errors"]


def test_only_admins_see_messages(api, world, outbox):
    assert api(world.doctor).get("/api/v1/messages").status_code == 403
    assert api(world.coordinator_a).post(f"/api/v1/messages/{outbox[1].id}/retry").status_code == 403


def test_retry_puts_a_failed_message_back_in_the_queue(api, world, outbox):
    response = api(world.admin).post(f"/api/v1/messages/{outbox[1].id}/retry")
    assert response.status_code == 200
    assert response.get_json()["status"] == "queued"
    db.session.expire_all()
    assert db.session.get(OutboxMessage, outbox[1].id).attempts == 0


def test_retry_of_a_message_that_did_not_fail_is_409(api, world, outbox):
    assert api(world.admin).post(f"/api/v1/messages/{outbox[0].id}/retry").status_code == 409
    assert api(world.admin).post("/api/v1/messages/9999/retry").status_code == 404


def test_retry_to_an_opted_out_number_is_409(api, world, outbox):
    db.session.add(SmsOptOut(number="+447700900002"))
    db.session.commit()
    response = api(world.admin).post(f"/api/v1/messages/{outbox[1].id}/retry")
    assert response.status_code == 409
    assert "opted out" in response.get_json()["detail"]
