import marshmallow as ma
from marshmallow import validate

CODE_SHAPE = "Enter the 6-digit code from the text."


class TokenRequestSchema(ma.Schema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, load_only=True)


class TokenSchema(ma.Schema):
    token = ma.fields.String(required=True)
    expires_at = ma.fields.String(required=True, metadata={"description": "London time with offset."})


class PasswordResetRequestSchema(ma.Schema):
    email = ma.fields.Email(required=True, error_messages={"required": "Enter your email address.",
                                                           "invalid": "Enter an email address like name@nhs.net."})


class PasswordResetAcceptedSchema(ma.Schema):
    detail = ma.fields.String()


class PasswordResetConfirmSchema(ma.Schema):
    email = ma.fields.Email(required=True, error_messages={"required": "Enter your email address.",
                                                           "invalid": "Enter an email address like name@nhs.net."})
    code = ma.fields.String(required=True, validate=validate.Regexp(r"^\s*\d{6}\s*$", error=CODE_SHAPE),
                            error_messages={"required": CODE_SHAPE},
                            metadata={"description": "The 6 digits texted to the account's mobile."})
    new_password = ma.fields.String(required=True, load_only=True,
                                    error_messages={"required": "Enter a new password."})
