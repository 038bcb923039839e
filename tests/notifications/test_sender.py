"""The sender: Twilio request shape, retries with backoff, permanent failures,
opt-out re-checks and recovery of rows stuck in `sending`."""
from datetime import UTC, datetime, timedelta

import pytest
import requests

from bankapp.extensions import db
from bankapp.notifications.backends import OutboxOnlyBackend, TransientSendError, backend_from_config
from bankapp.notifications.models import OutboxMessage, SmsOptOut
from bankapp.notifications.sender import claim_next, send_due_messages
from bankapp.notifications.services import enqueue_for_user, record_opt_out

from .conftest import ACCOUNT_SID, AUTH_TOKEN, CALLBACK, FROM, created, twilio_backend, twilio_error

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def doctor(world, factory):
    user = factory.doctor("ST3", sms_opt_in=True, mobile="+447700900123")
    db.session.commit()
    return user


def queue(doctor, body="Staff Bank: hello", kind="test", **kw):
    message = enqueue_for_user(doctor, kind=kind, body=body, send_after=kw.pop("send_after", NOW), **kw)
    db.session.commit()
    return message


def reload(message_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_twilio_gets_the_exact_request_and_the_sid_is_kept(doctor):
    message = queue(doctor)
    backend, fake = twilio_backend(created(sid="SM" + "b" * 32))
    counts = send_due_messages(NOW, backend=backend)
    assert counts["sent"] == 1
    [req] = fake.requests
    assert req["method"] == "POST"
    assert req["url"] == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert req["data"] == {"To": "+447700900123", "From": FROM, "Body": "Staff Bank: hello",
                           "StatusCallback": CALLBACK}
    assert req["auth"] == (ACCOUNT_SID, AUTH_TOKEN)
    row = reload(message.id)
    assert (row.status, row.provider_sid, row.attempts, row.sent_at) == ("sent", "SM" + "b" * 32, 1, NOW)


def test_messaging_service_sid_replaces_from(doctor):
    queue(doctor)
    backend, fake = twilio_backend(created(), messaging_service_sid="MG" + "c" * 32)
    send_due_messages(NOW, backend=backend)
    assert fake.requests[0]["data"]["MessagingServiceSid"] == "MG" + "c" * 32
    assert "From" not in fake.requests[0]["data"]


def test_invalid_number_fails_for_good_and_is_never_retried(doctor):
    message = queue(doctor)
    backend, fake = twilio_backend(twilio_error(400, 21211, "The 'To' number is not a valid phone number."))
    assert send_due_messages(NOW, backend=backend)["failed"] == 1
    row = reload(message.id)
    assert row.status == "failed" and row.attempts == 1
    assert "21211" in row.last_error and "not a valid phone number" in row.last_error
    assert send_due_messages(NOW + timedelta(days=1), backend=backend)["sent"] == 0
    assert len(fake.requests) == 1


def test_server_error_and_timeout_are_retried_with_backoff(doctor):
    message = queue(doctor)
    backend, fake = twilio_backend(twilio_error(500, 20500, "Internal Server Error"),
                                   requests.exceptions.ReadTimeout("read timed out"), created())
    assert send_due_messages(NOW, backend=backend)["retrying"] == 1
    row = reload(message.id)
    assert (row.status, row.attempts, row.send_after) == ("queued", 1, NOW + timedelta(minutes=1))
    assert "HTTP 500" in row.last_error

    assert sum(send_due_messages(NOW + timedelta(seconds=30), backend=backend).values()) == 0  # not due yet
    assert send_due_messages(NOW + timedelta(minutes=1), backend=backend)["retrying"] == 1
    row = reload(message.id)
    assert (row.attempts, row.send_after) == (2, NOW + timedelta(minutes=6))
    assert "ReadTimeout" in row.last_error

    assert send_due_messages(NOW + timedelta(minutes=6), backend=backend)["sent"] == 1
    assert reload(message.id).status == "sent" and len(fake.requests) == 3


def test_rate_limited_is_transient(doctor):
    message = queue(doctor)
    backend, _ = twilio_backend(twilio_error(429, 20429, "Too Many Requests"))
    send_due_messages(NOW, backend=backend)
    assert reload(message.id).status == "queued"


def test_transient_errors_fail_after_the_last_attempt(app, doctor, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_MAX_ATTEMPTS", 2)
    message = queue(doctor)
    backend, fake = twilio_backend(twilio_error(503, 20503, "Unavailable"), twilio_error(503, 20503, "Unavailable"))
    send_due_messages(NOW, backend=backend)
    assert send_due_messages(NOW + timedelta(hours=1), backend=backend)["failed"] == 1
    assert reload(message.id).status == "failed"
    send_due_messages(NOW + timedelta(days=1), backend=backend)
    assert len(fake.requests) == 2


def test_unsubscribed_number_fails_and_is_opted_out(doctor):
    message = queue(doctor)
    later = queue(doctor, body="second", send_after=NOW + timedelta(hours=1))
    backend, _ = twilio_backend(twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"))
    send_due_messages(NOW, backend=backend)
    assert reload(message.id).status == "failed"
    assert db.session.get(SmsOptOut, doctor.mobile).source == "twilio_21610"
    assert reload(later.id).status == "suppressed"
    assert enqueue_for_user(doctor, kind="test", body="third") is None


def test_opt_out_blocks_every_later_sms_of_any_kind(doctor, recording):
    queued = queue(doctor, kind="booking_confirmed")
    record_opt_out(doctor.mobile)
    db.session.commit()
    for kind in ("shift_alert", "booking_confirmed", "reminder", "timesheet_chaser", "doc_expiry", "test"):
        assert enqueue_for_user(doctor, kind=kind, body="x", dedupe_key=f"{kind}:1") is None
    # Even a row written behind the services' back is stopped at send time.
    db.session.add(OutboxMessage(to=doctor.mobile, body="sneaky", kind="reminder", send_after=NOW))
    db.session.commit()
    counts = send_due_messages(NOW, backend=recording)
    assert recording.sent == []
    assert reload(queued.id).status == "suppressed"
    assert counts["suppressed"] == 1


def test_sender_rechecks_consent_right_before_sending(doctor, recording):
    message = queue(doctor)
    doctor.sms_opt_in = False
    db.session.commit()
    send_due_messages(NOW, backend=recording)
    assert recording.sent == [] and reload(message.id).status == "suppressed"


def test_dedupe_key_queues_once_and_keeps_the_transaction_usable(doctor):
    first = enqueue_for_user(doctor, kind="reminder", body="a", dedupe_key="reminder:1")
    second = enqueue_for_user(doctor, kind="reminder", body="b", dedupe_key="reminder:1")
    doctor.name = "Still writable"
    db.session.commit()
    assert first is not None and second is None
    assert db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar() == 1


def test_no_mobile_or_no_consent_queues_nothing(world, factory):
    no_consent = factory.doctor("ST3", sms_opt_in=False)
    no_number = factory.doctor("ST3", sms_opt_in=True)
    no_number.mobile = None
    assert enqueue_for_user(no_consent, kind="test", body="x") is None
    assert enqueue_for_user(no_number, kind="test", body="x") is None


def test_stuck_sending_row_is_recovered_and_sent_exactly_once(doctor, recording):
    message = queue(doctor)
    assert claim_next(NOW).id == message.id  # the process dies here, before sending
    assert reload(message.id).status == "sending"
    assert send_due_messages(NOW + timedelta(minutes=1, seconds=59), backend=recording)["recovered"] == 0
    assert recording.sent == []
    counts = send_due_messages(NOW + timedelta(minutes=2, seconds=1), backend=recording)
    assert counts["recovered"] == 1 and counts["sent"] == 1
    assert recording.sent == [(doctor.mobile, "Staff Bank: hello")]
    send_due_messages(NOW + timedelta(hours=2), backend=recording)
    assert len(recording.sent) == 1
    assert reload(message.id).attempts == 2


def test_the_wait_before_a_stuck_row_is_retried_is_a_setting(app, doctor, recording, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_SENDING_TIMEOUT_MINUTES", 30)
    message = queue(doctor)
    claim_next(NOW)
    assert send_due_messages(NOW + timedelta(minutes=29), backend=recording)["recovered"] == 0
    assert send_due_messages(NOW + timedelta(minutes=31), backend=recording)["sent"] == 1
    assert reload(message.id).status == "sent"


def test_a_sent_row_is_never_sent_again(doctor, recording):
    message = queue(doctor)
    send_due_messages(NOW, backend=recording)
    for minutes in (1, 15, 60 * 24):
        send_due_messages(NOW + timedelta(minutes=minutes), backend=recording)
    assert len(recording.sent) == 1 and reload(message.id).status == "sent"


def test_backend_is_outbox_only_without_twilio_settings(app):
    assert isinstance(backend_from_config(app.config), OutboxOnlyBackend)
    config = {**app.config, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM": FROM}
    assert type(backend_from_config(config)).__name__ == "TwilioBackend"


def test_outbox_only_backend_marks_sent_with_a_local_id(doctor):
    message = queue(doctor)
    send_due_messages(NOW, backend=OutboxOnlyBackend())
    row = reload(message.id)
    assert row.status == "sent" and row.provider_sid.startswith("local-")


def test_unexpected_backend_error_keeps_the_message(doctor):
    class Broken:
        def send(self, to, body):
            raise RuntimeError("bug")

    message = queue(doctor)
    send_due_messages(NOW, backend=Broken())
    row = reload(message.id)
    assert row.status == "queued" and "RuntimeError" in row.last_error
    assert issubclass(TransientSendError, Exception)
