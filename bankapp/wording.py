"""Plain-English messages for marshmallow's field and validator errors, app-wide.

Shown next to form fields and in the API's ``errors``: "Enter a whole
number." rather than "Not a valid integer.". Fields read their messages when
they are created, so this runs before any schema is defined (imported first
by ``extensions``). Fields and validators given their own ``error`` keep it;
"Missing data for required field." is left as it is because the forms
replace it with a message per field (``forms.load_form``).
"""
import marshmallow as ma
from marshmallow import validate

FIELD_MESSAGES = {
    ma.fields.Field: {"null": "This cannot be empty."},
    ma.fields.Integer: {"invalid": "Enter a whole number.", "too_large": "Enter a smaller number."},
    ma.fields.Number: {"invalid": "Enter a number.", "too_large": "Enter a smaller number."},
    ma.fields.Decimal: {"special": "Enter a number."},
    ma.fields.String: {"invalid": "Enter text."},
    ma.fields.Boolean: {"invalid": "Enter true or false."},
    ma.fields.Date: {"invalid": "Enter a real date, for example 2027-03-31."},
    ma.fields.DateTime: {"invalid": "Enter a real date and time, for example 2027-03-31T08:00."},
    ma.fields.Email: {"invalid": "Enter an email address in the right form, like name@nhs.net."},
    ma.fields.List: {"invalid": "Send a list."},
}


def use_plain_english() -> None:
    for field, messages in FIELD_MESSAGES.items():
        field.default_error_messages = {**field.default_error_messages, **messages}
    validate.Length.message_min = "Enter at least {min} characters."
    validate.Length.message_max = "Enter {max} characters or fewer."
    validate.Length.message_all = "Enter between {min} and {max} characters."
    validate.Length.message_equal = "Enter exactly {equal} characters."
    # Range formats its messages twice (bound first, then the value): hence the double braces.
    validate.Range.message_min = "Enter a number of at least {{min}}."
    validate.Range.message_max = "Enter a number no larger than {{max}}."
    validate.Range.message_all = "Enter a number from {{min}} to {{max}}."
    validate.OneOf.default_message = "Choose one of: {choices}."


use_plain_english()
