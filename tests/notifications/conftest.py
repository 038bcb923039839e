"""Helpers for the notification tests: a fake Twilio transport, a recording
backend, signed webhook posts and a frozen clock."""
import json
import logging
import threading
from datetime import datetime

import pytest
import time_machine
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from bankapp.extensions import db
from bankapp.notifications.backends import SendResult, TwilioBackend
from tests.factories import make_booking, make_shift

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token"
FROM = "+447700900999"
CALLBACK = "http://bank.test/sms/status"


class FakeTwilioHttp(HttpClient):
    """twilio's transport hook: records each request, answers from a script.

    Each scripted answer is (status, json-body) or an exception to raise.
    """

    def __init__(self, *answers):
        super().__init__(logger=logging.getLogger("fake-twilio"), is_async=False)
        self.answers = list(answers)
        self.requests = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        self.requests.append({"method": method, "url": url, "data": dict(data or {}), "auth": auth})
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        status, body = answer
        return Response(status, json.dumps(body))


def created(sid="SM" + "a" * 32, to="+447700900123"):
    return 201, {"sid": sid, "status": "queued", "to": to, "account_sid": ACCOUNT_SID}


def twilio_error(status, code, message):
    return status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                    "status": status}


def twilio_backend(*answers, messaging_service_sid=None):
    fake = FakeTwilioHttp(*answers)
    backend = TwilioBackend(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,
                            from_=None if messaging_service_sid else FROM,
                            messaging_service_sid=messaging_service_sid, status_callback=CALLBACK, http_client=fake)
    return backend, fake


class RecordingBackend:
    """Sends nothing; remembers every (message body, number), thread-safe."""

    def __init__(self, delay=0.0):
        self.sent = []
        self.delay = delay
        self._lock = threading.Lock()

    def send(self, to, body):
        import time

        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.sent.append((to, body))
            return SendResult(f"rec-{len(self.sent)}")


@pytest.fixture
def recording():
    return RecordingBackend()


@pytest.fixture
def twilio_token(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    return AUTH_TOKEN


@pytest.fixture
def signed_post(client, twilio_token):
    """POST form ``params`` to ``path`` signed the way Twilio signs it."""

    def post(path, params, *, signature=None, token=AUTH_TOKEN):
        if signature is None:
            signature = RequestValidator(token).compute_signature("http://bank.test" + path, params)
        headers = {"X-Twilio-Signature": signature} if signature else {}
        return client.post(path, data=params, headers=headers)

    return post


def freeze(text):
    """time_machine at an ISO instant (with offset), clock not ticking."""
    return time_machine.travel(datetime.fromisoformat(text), tick=False)


@pytest.fixture
def clock():
    with freeze("2026-12-02T10:00:00+00:00"):  # Wednesday
        yield


@pytest.fixture
def booked(clock, world, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True)
    shift = make_shift(department=world.dept_a, grade=world.grades["ST3"], start="2026-12-03T20:00",
                       end="2026-12-04T08:00", posted_by=world.coordinator_a)
    booking = make_booking(shift, doctor)
    db.session.commit()
    return doctor, shift, booking
