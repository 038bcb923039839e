import marshmallow as ma
from marshmallow import validate

from ..apiutil import ListQuerySchema
from ..timeutil import format_london
from .models import MESSAGE_STATUSES


class MessageQuerySchema(ListQuerySchema):
    to = ma.fields.String(load_default=None, metadata={"description": "Phone number (E.164), exact or ending"})
    status = ma.fields.String(load_default=None, validate=validate.OneOf(
        MESSAGE_STATUSES, error="Status is one of: " + ", ".join(MESSAGE_STATUSES) + "."))
    kind = ma.fields.String(load_default=None, validate=validate.Length(max=32))


class MessageSchema(ma.Schema):
    id = ma.fields.Integer()
    to = ma.fields.String()
    body = ma.fields.String()
    kind = ma.fields.String()
    status = ma.fields.String()
    created_at = ma.fields.Function(lambda m: format_london(m.created_at))
    send_after = ma.fields.Function(lambda m: format_london(m.send_after))
    sent_at = ma.fields.Function(lambda m: format_london(m.sent_at))
    attempts = ma.fields.Integer()
    last_error = ma.fields.String(allow_none=True)
    provider_sid = ma.fields.String(allow_none=True)
