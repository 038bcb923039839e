"""Where an SMS goes: Twilio when configured, else only the outbox and the log.

A backend's ``send(to, body)`` returns a ``SendResult`` or raises
``TransientSendError`` (try again later) or ``PermanentSendError`` (never
retry: a bad or unsubscribed number).
"""
import logging
import uuid
from dataclasses import dataclass

log = logging.getLogger(__name__)

# Twilio error codes that mean "this number will never take a text from us".
UNSUBSCRIBED_CODES = frozenset({21610})


@dataclass(frozen=True)
class SendResult:
    sid: str


class SendError(Exception):
    def __init__(self, message, *, code=None, status=None):
        super().__init__(message)
        self.code = code
        self.status = status

    def describe(self) -> str:
        parts = [f"HTTP {self.status}" if self.status else None, f"Twilio error {self.code}" if self.code else None]
        prefix = ", ".join(p for p in parts if p)
        return f"{prefix}: {self}" if prefix else str(self)


class TransientSendError(SendError):
    """Twilio 5xx, 429, a timeout or a dropped connection: retry with backoff."""


class PermanentSendError(SendError):
    """Twilio refused the message for good (4xx, e.g. 21211 invalid number)."""

    @property
    def unsubscribed(self) -> bool:
        return self.code in UNSUBSCRIBED_CODES


class OutboxOnlyBackend:
    delivers = False  # the outbox row is the text: a password reset code stays readable there (development)

    """The embedded default: the message stays in the outbox, marked sent, and is logged."""

    name = "outbox"

    def send(self, to: str, body: str) -> SendResult:
        sid = f"local-{uuid.uuid4().hex[:24]}"
        log.info("SMS (outbox only) to %s: %s", to, body)
        return SendResult(sid)


class TwilioBackend:
    delivers = True  # once Twilio has a secret text (a password reset code), the outbox keeps it hidden

    """Sends through the official twilio client.

    ``http_client`` is twilio's transport hook; tests pass a local fake, and
    production gets twilio's own client with a timeout.
    """

    name = "twilio"

    def __init__(self, *, account_sid, auth_token, from_=None, messaging_service_sid=None, status_callback=None,
                 http_client=None, timeout=15):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        if not (from_ or messaging_service_sid):
            raise ValueError("Twilio needs TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID.")
        self.from_ = from_
        self.messaging_service_sid = messaging_service_sid
        self.status_callback = status_callback
        self.client = Client(account_sid, auth_token,
                             http_client=http_client or TwilioHttpClient(timeout=timeout))

    def send(self, to: str, body: str) -> SendResult:
        import requests
        from twilio.base.exceptions import TwilioException, TwilioRestException

        kwargs = {"to": to, "body": body}
        if self.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        else:
            kwargs["from_"] = self.from_
        if self.status_callback:
            kwargs["status_callback"] = self.status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            error = (TransientSendError if exc.status >= 500 or exc.status == 429 else PermanentSendError)
            raise error(exc.msg, code=exc.code, status=exc.status) from exc
        except (requests.RequestException, OSError) as exc:  # timeouts and dropped connections
            raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc
        except TwilioException as exc:
            raise TransientSendError(str(exc)) from exc
        return SendResult(message.sid)


def backend_from_config(config):
    """TwilioBackend when its settings are all present, else OutboxOnlyBackend."""
    if config.get("SMS_BACKEND") is not None:
        return config["SMS_BACKEND"]
    sid, token = config.get("TWILIO_ACCOUNT_SID"), config.get("TWILIO_AUTH_TOKEN")
    sender = config.get("TWILIO_FROM") or config.get("TWILIO_MESSAGING_SERVICE_SID")
    if sid and token and sender:
        return TwilioBackend(account_sid=sid, auth_token=token, from_=config.get("TWILIO_FROM"),
                             messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID"),
                             status_callback=config.get("TWILIO_STATUS_CALLBACK_URL"))
    return OutboxOnlyBackend()
