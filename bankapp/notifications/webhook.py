"""Twilio webhooks: inbound texts (STOP/START) and delivery status callbacks.

Both check ``X-Twilio-Signature`` with twilio's RequestValidator against the
public URL (``PUBLIC_BASE_URL`` + path, as Twilio saw it) and the form
parameters. Without a valid signature: 403 and nothing changes. No session,
no CSRF token: Twilio is the caller.
"""
import logging

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from ..extensions import csrf, db
from ..timeutil import now_utc
from . import texts
from .models import OutboxMessage
from .rules import keyword, normalise_mobile
from .services import is_opted_out, record_opt_in, record_opt_out, users_with_number

log = logging.getLogger(__name__)
bp = Blueprint("sms_webhook", __name__, url_prefix="/sms")
csrf.exempt(bp)

DELIVERY_STATUSES = {"delivered": "delivered", "undelivered": "failed", "failed": "failed"}


def _signed_url() -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    query = request.query_string.decode()
    return base + request.path + (f"?{query}" if query else "")


def require_twilio_signature():
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        log.warning("Twilio webhook %s refused: %s", request.path, "no auth token set" if not token else "unsigned")
        abort(403)
    if not RequestValidator(token).validate(_signed_url(), request.form.to_dict(), signature):
        log.warning("Twilio webhook %s refused: bad signature", request.path)
        abort(403)


def _twiml(text: str | None) -> Response:
    reply = MessagingResponse()
    if text:
        reply.message(text)
    return Response(str(reply), mimetype="application/xml")


@bp.post("/inbound")
def inbound():
    require_twilio_signature()
    try:
        number = normalise_mobile(request.form.get("From"))
    except ValueError:
        number = None
    action = keyword(request.form.get("Body"))
    known = bool(number) and bool(users_with_number(number))
    if number and action == "stop":
        record_opt_out(number, source="inbound")
    elif number and action == "start" and (known or is_opted_out(number)):
        record_opt_in(number)
    else:
        action = "other"
    log.info("inbound SMS from %s: %s", number or "an unreadable number", action)
    return _twiml(texts.inbound_reply(action, known=known))


@bp.post("/status")
def status_callback():
    """Twilio tells us what became of a text: delivered, undelivered or failed."""
    require_twilio_signature()
    sid, status = request.form.get("MessageSid"), request.form.get("MessageStatus", "").lower()
    new_status = DELIVERY_STATUSES.get(status)
    message = db.session.execute(db.select(OutboxMessage).filter_by(provider_sid=sid)).scalar_one_or_none() \
        if sid else None
    if message is None or new_status is None:
        return "", 204
    error_code = request.form.get("ErrorCode")
    if message.status in ("sent", "delivered", "failed", "sending"):
        message.status = new_status
        message.updated_at = now_utc()
        if new_status == "failed":
            message.last_error = f"Twilio status {status}" + (f", error {error_code}" if error_code else "")
    if error_code == "21610":
        record_opt_out(message.to, source="twilio_21610")
    return "", 204
