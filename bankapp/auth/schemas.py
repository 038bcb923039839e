import marshmallow as ma


class TokenRequestSchema(ma.Schema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, load_only=True)


class TokenSchema(ma.Schema):
    token = ma.fields.String(required=True)
    expires_at = ma.fields.String(required=True, metadata={"description": "London time with offset."})
