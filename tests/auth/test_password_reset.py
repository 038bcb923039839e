"""Getting back in: a forgotten password reset by a 6-digit code texted to the account's mobile, by the API and
the pages. Nothing tells whether an account exists; a wrong, expired or used-up code gets one message; a try
is counted even though the answer is an error; the new password goes through set_password (sessions end,
tokens are revoked)."""
import re
from datetime import timedelta

import pytest

from bankapp.auth.models import ApiToken, PasswordReset
from bankapp.auth.reset import WRONG_CODE
from bankapp.extensions import db, limiter
from bankapp.notifications.models import OutboxMessage, SmsOptOut
from bankapp.notifications.sender import send_due_messages
from tests.factories import PASSWORD
from tests.test_security import _people, make_app  # noqa: F401 (fixture)

NEW_PASSWORD = "violet-kettle-harbour-42"
ASK = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"


def texts_to(user):
    return db.session.execute(db.select(OutboxMessage).filter_by(user_id=user.id, kind="password_reset")
                              .order_by(OutboxMessage.id)).scalars().all()


def code_sent_to(user):
    return re.search(r"\b(\d{6})\b", texts_to(user)[-1].body).group(1)


def wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def test_asking_always_answers_202_the_same_and_texts_only_a_real_account(client, world):
    known = client.post(ASK, json={"email": world.doctor.email.upper()})
    unknown = client.post(ASK, json={"email": "nobody@test.nhs.uk"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json() and "6-digit code" in known.get_json()["detail"]
    [text] = texts_to(world.doctor)
    assert text.to == world.doctor.mobile and text.status == "queued" and "works for 10 minutes" in text.body
    assert db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar_one() == 1


def test_only_a_hash_of_the_code_is_stored(client, world):
    client.post(ASK, json={"email": world.doctor.email})
    code = code_sent_to(world.doctor)
    reset = db.session.execute(db.select(PasswordReset)).scalar_one()
    assert code not in reset.code_hash and len(reset.code_hash) == 64


def test_the_code_sets_a_new_password_ends_sessions_and_revokes_tokens(app, client, world, api):
    token = api(world.doctor).token
    phone = app.test_client()
    assert phone.post("/login", data={"email": world.doctor.email, "password": PASSWORD}).status_code == 302
    client.post(ASK, json={"email": world.doctor.email})
    resp = client.post(CONFIRM, json={"email": world.doctor.email, "code": code_sent_to(world.doctor),
                                      "new_password": NEW_PASSWORD})
    assert resp.status_code == 204
    assert phone.get("/").status_code == 302  # logged out everywhere
    assert client.get("/api/v1/bookings", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert db.session.execute(db.select(ApiToken.revoked_at)).scalar_one() is not None
    assert client.post("/login", data={"email": world.doctor.email, "password": NEW_PASSWORD}).status_code == 302
    again = client.post(CONFIRM, json={"email": world.doctor.email, "code": code_sent_to(world.doctor),
                                       "new_password": "another-long-passphrase-7"})
    assert again.status_code == 422 and again.get_json()["errors"] == {"code": [WRONG_CODE]}  # used once only


def test_wrong_expired_used_up_or_unknown_all_get_the_same_message(client, world, factory, clock):
    client.post(ASK, json={"email": world.doctor.email})
    code = code_sent_to(world.doctor)

    def confirm(email=world.doctor.email, with_code=code):
        resp = client.post(CONFIRM, json={"email": email, "code": with_code, "new_password": NEW_PASSWORD})
        return resp.status_code, resp.get_json()["errors"] if resp.status_code == 422 else None

    answer = (422, {"code": [WRONG_CODE]})
    assert confirm(with_code=wrong(code)) == answer
    assert confirm(email="nobody@test.nhs.uk") == answer
    clock.shift(timedelta(minutes=10, seconds=1))
    assert confirm() == answer  # expired
    client.post(ASK, json={"email": world.doctor.email})
    fresh = code_sent_to(world.doctor)
    assert confirm(with_code=code) == answer  # the old code was replaced
    for _ in range(5):
        assert confirm(with_code=wrong(fresh)) == answer
    assert confirm(with_code=fresh) == answer  # out of tries, even with the right code
    assert db.session.execute(db.select(PasswordReset.attempts).order_by(PasswordReset.id.desc())).scalars().first() \
        == 5


def test_a_weak_new_password_is_refused_without_spending_a_try(client, world):
    client.post(ASK, json={"email": world.doctor.email})
    code = code_sent_to(world.doctor)
    resp = client.post(CONFIRM, json={"email": world.doctor.email, "code": code, "new_password": "password123"})
    assert resp.status_code == 422 and "new_password" in resp.get_json()["errors"]
    assert db.session.execute(db.select(PasswordReset.attempts)).scalar_one() == 0
    assert client.post(CONFIRM, json={"email": world.doctor.email, "code": code,
                                      "new_password": NEW_PASSWORD}).status_code == 204


def test_malformed_input_names_the_field(client, world):
    resp = client.post(CONFIRM, json={"email": "not-an-email", "code": "12ab", "new_password": NEW_PASSWORD})
    assert resp.status_code == 422
    assert set(resp.get_json()["errors"]) == {"email", "code"}
    assert client.post(ASK, json={}).get_json()["errors"] == {"email": ["Enter your email address."]}


def test_a_number_that_said_stop_gets_no_code_but_one_never_opted_in_does(client, world, factory):
    quiet = factory.doctor("ST3", sms_opt_in=False)
    stopped = factory.doctor("ST3", sms_opt_in=False)
    db.session.add(SmsOptOut(number=stopped.mobile))
    db.session.commit()
    client.post(ASK, json={"email": quiet.email})
    client.post(ASK, json={"email": stopped.email})
    assert len(texts_to(quiet)) == 1 and texts_to(stopped) == []
    assert send_due_messages()["sent"] == 1
    db.session.expire_all()
    assert texts_to(quiet)[0].status == "sent"


def test_a_delivered_code_is_hidden_in_the_outbox(client, world):
    class Delivering:
        delivers = True

        def send(self, to, body):
            from bankapp.notifications.backends import SendResult

            return SendResult("SM123")

    client.post(ASK, json={"email": world.doctor.email})
    code = code_sent_to(world.doctor)
    send_due_messages(backend=Delivering())
    db.session.expire_all()
    [text] = texts_to(world.doctor)
    assert text.status == "sent" and code not in text.body and "******" in text.body


def test_pages_walk_a_doctor_back_in(client, world):
    login = client.get("/login").get_data(as_text=True)
    assert 'href="/password-reset"' in login and "Forgotten your password?" in login
    resp = client.post("/password-reset", data={"email": world.doctor.email})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/password-reset/code?email=")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "a 6-digit code is on its way" in page and f'value="{world.doctor.email}"' in page
    code = code_sent_to(world.doctor)
    bad = client.post("/password-reset/code", data={"email": world.doctor.email, "code": wrong(code),
                                                    "new_password": NEW_PASSWORD})
    assert bad.status_code == 422 and WRONG_CODE in bad.get_data(as_text=True)
    assert db.session.execute(db.select(PasswordReset.attempts)).scalar_one() == 1  # kept though the page said 422
    good = client.post("/password-reset/code", data={"email": world.doctor.email, "code": code,
                                                     "new_password": NEW_PASSWORD})
    assert good.status_code == 302 and good.headers["Location"] == "/login"
    assert client.post("/login", data={"email": world.doctor.email, "password": NEW_PASSWORD}).status_code == 302


def test_unknown_email_on_the_page_gets_the_same_answer(client, world):
    resp = client.post("/password-reset", data={"email": "nobody@test.nhs.uk"}, follow_redirects=True)
    assert resp.status_code == 200 and "a 6-digit code is on its way" in resp.get_data(as_text=True)


def test_a_failed_login_shows_one_message_not_two(client, world):
    html = client.post("/login", data={"email": world.doctor.email, "password": "wrong"}).get_data(as_text=True)
    assert html.count("The email address or password is not right.") == 1
    assert 'class="nhsuk-error-message"' not in html


@pytest.fixture
def throttled(request):
    app = request.getfixturevalue("make_app")(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   PASSWORD_RESET_LIMIT_PER_ACCOUNT="3 per 15 minutes", PASSWORD_RESET_LIMIT_PER_IP="5 per 15 minutes")
    limiter.reset()
    _people(app, *(f"doc{i}@test.nhs.uk" for i in range(8)))
    return app


def test_asking_is_limited_per_account_across_the_page_and_the_api(throttled):
    client = throttled.test_client()
    for i in range(3):
        ask = (lambda ip: client.post(ASK, json={"email": "doc0@test.nhs.uk"}, environ_base={"REMOTE_ADDR": ip})) \
            if i % 2 else (lambda ip: client.post("/password-reset", data={"email": "doc0@test.nhs.uk"},
                                                  environ_base={"REMOTE_ADDR": ip}))
        assert ask(f"10.2.0.{i}").status_code in (202, 302)
    assert client.post(ASK, json={"email": "doc0@test.nhs.uk"}, environ_base={"REMOTE_ADDR": "10.2.0.9"}
                       ).status_code == 429
    assert client.post(ASK, json={"email": "doc1@test.nhs.uk"}, environ_base={"REMOTE_ADDR": "10.2.0.10"}
                       ).status_code == 202


def test_wrong_codes_are_limited_per_address(throttled):
    client = throttled.test_client()
    for i in range(5):
        resp = client.post(CONFIRM, json={"email": f"doc{i}@test.nhs.uk", "code": "123456",
                                          "new_password": NEW_PASSWORD}, environ_base={"REMOTE_ADDR": "10.3.0.1"})
        assert resp.status_code == 422
    resp = client.post(CONFIRM, json={"email": "doc6@test.nhs.uk", "code": "123456", "new_password": NEW_PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.3.0.1"})
    assert resp.status_code == 429
