"""The SMS outbox, for administrators."""
from flask import g
from flask_smorest import Blueprint

from ..apiutil import keyset_page, list_schema
from ..auth.permissions import api_auth
from ..errors import NotFound
from ..extensions import db
from . import services
from .models import OutboxMessage
from .schemas import MessageQuerySchema, MessageSchema

blp = Blueprint("notifications_api", __name__, url_prefix="/api/v1", description="SMS outbox")
SECURITY = [{"bearerAuth": []}]


def search_messages(*, to=None, status=None, kind=None):
    """The outbox filtered by number (exact, or its last digits), status and kind."""
    stmt = db.select(OutboxMessage)
    if to:
        number = to.strip().replace(" ", "")
        stmt = stmt.where(OutboxMessage.to == number if number.startswith("+") else OutboxMessage.to.endswith(number))
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return stmt


@blp.get("/messages")
@blp.arguments(MessageQuerySchema, location="query")
@blp.response(200, list_schema(MessageSchema, "MessageList"))
@blp.doc(security=SECURITY)
@api_auth("admin")
def list_messages(query):
    """The outbox, oldest first: `{id, to, body, kind, status, created_at}` and delivery details.

    Without Twilio settings the outbox is the embedded backend: rows are
    marked sent with a `local-…` id and the text is only logged.
    """
    stmt = search_messages(to=query.pop("to"), status=query.pop("status"), kind=query.pop("kind"))
    return keyset_page(db.session, stmt, OutboxMessage.id, **query)


@blp.post("/messages/<int:message_id>/retry")
@blp.response(200, MessageSchema)
@blp.alt_response(409, description="The message has not failed, or its number opted out")
@blp.doc(security=SECURITY)
@api_auth("admin")
def retry_message(message_id):
    """Put a failed message back in the queue; the sender tries it at its next run."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("No such message.")
    services.retry_message(message, actor=g.actor)
    return message
