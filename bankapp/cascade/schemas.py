import marshmallow as ma
from marshmallow import validate


class AgencySchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    tier = ma.fields.Integer(required=True, validate=validate.OneOf((1, 2), error="Tier is 1 or 2."))
    on_framework = ma.fields.Boolean(required=True)
