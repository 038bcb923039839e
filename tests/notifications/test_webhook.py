"""Twilio webhooks: signatures checked with twilio's own validator, STOP and
START in any case, polite replies to strangers, delivery status callbacks."""
import pytest

from bankapp.audit.models import AuditEvent
from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage, SmsOptOut
from bankapp.notifications.services import enqueue_for_user

NUMBER = "+447700900123"


@pytest.fixture
def doctor(world, factory):
    user = factory.doctor("ST3", sms_opt_in=True, mobile=NUMBER)
    db.session.commit()
    return user


def inbound(body, sender=NUMBER):
    return {"MessageSid": "SM" + "d" * 32, "AccountSid": "AC" + "1" * 32, "From": sender, "To": "+447700900999",
            "Body": body}


def nothing_changed(doctor):
    db.session.expire_all()
    return (db.session.get(SmsOptOut, NUMBER) is None and doctor.sms_opt_in
            and db.session.execute(db.select(db.func.count(AuditEvent.id))
                                   .where(AuditEvent.action.like("sms.%"))).scalar() == 0)


@pytest.mark.parametrize("word", ["STOP", "stop", "  Stop  ", "STOPALL", "end", "Unsubscribe", "cancel", "QUIT"])
def test_stop_words_in_any_case_opt_the_number_out(doctor, signed_post, word):
    response = signed_post("/sms/inbound", inbound(word))
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert b"<Response><Message>" in response.data and b"no more texts" in response.data
    db.session.expire_all()
    assert db.session.get(SmsOptOut, NUMBER) is not None
    assert doctor.sms_opt_in is False
    assert enqueue_for_user(doctor, kind="booking_confirmed", body="x") is None


@pytest.mark.parametrize("word", ["START", "start", " Yes ", "unstop"])
def test_start_words_opt_back_in(doctor, signed_post, word):
    signed_post("/sms/inbound", inbound("STOP"))
    response = signed_post("/sms/inbound", inbound(word))
    assert response.status_code == 200 and b"texts are back on" in response.data
    db.session.expire_all()
    assert db.session.get(SmsOptOut, NUMBER) is None
    assert doctor.sms_opt_in is True
    assert enqueue_for_user(doctor, kind="test", body="x") is not None


def test_stop_suppresses_texts_already_queued(doctor, signed_post):
    message = enqueue_for_user(doctor, kind="reminder", body="x")
    db.session.commit()
    signed_post("/sms/inbound", inbound("STOP"))
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "suppressed"


def test_missing_signature_is_403_and_changes_nothing(doctor, signed_post):
    response = signed_post("/sms/inbound", inbound("STOP"), signature="")
    assert response.status_code == 403
    assert nothing_changed(doctor)


def test_wrong_signature_is_403_and_changes_nothing(doctor, signed_post):
    assert signed_post("/sms/inbound", inbound("STOP"), token="someone-elses-token").status_code == 403
    assert signed_post("/sms/inbound", inbound("STOP"), signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert nothing_changed(doctor)


def test_signature_over_other_params_is_403(doctor, client, twilio_token):
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(twilio_token).compute_signature("http://bank.test/sms/inbound", inbound("hello"))
    response = client.post("/sms/inbound", data=inbound("STOP"), headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert nothing_changed(doctor)


def test_no_auth_token_configured_refuses_every_request(doctor, client):
    response = client.post("/sms/inbound", data=inbound("STOP"), headers={"X-Twilio-Signature": "x"})
    assert response.status_code == 403
    assert nothing_changed(doctor)


def test_unknown_sender_gets_a_polite_reply_and_nothing_changes(doctor, signed_post):
    response = signed_post("/sms/inbound", inbound("Is there a shift tonight?", sender="+447700911111"))
    assert response.status_code == 200 and b"we do not recognise this number" in response.data
    response = signed_post("/sms/inbound", inbound("START", sender="+447700911111"))
    assert b"we do not recognise this number" in response.data
    assert nothing_changed(doctor)


def test_stop_from_a_number_no_one_has_yet_still_sticks(world, factory, signed_post):
    signed_post("/sms/inbound", inbound("STOP", sender="+447700922222"))
    later = factory.doctor("ST3", sms_opt_in=True, mobile="+447700922222")
    assert enqueue_for_user(later, kind="test", body="x") is None


def test_other_text_from_a_doctor_changes_nothing(doctor, signed_post):
    response = signed_post("/sms/inbound", inbound("thanks!"))
    assert response.status_code == 200 and b"cannot read replies" in response.data
    assert nothing_changed(doctor)


def _sent_message(doctor, sid):
    message = enqueue_for_user(doctor, kind="test", body="x")
    message.status, message.provider_sid = "sent", sid
    db.session.commit()
    return message


@pytest.mark.parametrize(("twilio_status", "ours"), [("delivered", "delivered"), ("undelivered", "failed"),
                                                     ("failed", "failed")])
def test_status_callback_updates_the_message(doctor, signed_post, twilio_status, ours):
    message = _sent_message(doctor, "SM" + "e" * 32)
    params = {"MessageSid": "SM" + "e" * 32, "MessageStatus": twilio_status, "To": NUMBER}
    if ours == "failed":
        params["ErrorCode"] = "30003"
    assert signed_post("/sms/status", params).status_code == 204
    db.session.expire_all()
    row = db.session.get(OutboxMessage, message.id)
    assert row.status == ours
    if ours == "failed":
        assert "30003" in row.last_error


def test_status_callback_unsigned_is_403(doctor, signed_post):
    message = _sent_message(doctor, "SM" + "f" * 32)
    response = signed_post("/sms/status", {"MessageSid": "SM" + "f" * 32, "MessageStatus": "failed"}, signature="")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "sent"


def test_status_callback_for_unknown_sid_is_ignored(doctor, signed_post):
    assert signed_post("/sms/status", {"MessageSid": "SMnope", "MessageStatus": "delivered"}).status_code == 204


def test_status_callback_21610_opts_the_number_out(doctor, signed_post):
    _sent_message(doctor, "SM" + "9" * 32)
    signed_post("/sms/status", {"MessageSid": "SM" + "9" * 32, "MessageStatus": "undelivered", "ErrorCode": "21610"})
    db.session.expire_all()
    assert db.session.get(SmsOptOut, NUMBER) is not None
