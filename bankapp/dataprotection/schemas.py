import marshmallow as ma

SECTION = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw())


class PersonalDataSchema(ma.Schema):
    """Everything Staff Bank holds about the requesting person (times in London time, money as strings)."""

    generated_at = ma.fields.String(required=True)
    profile = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(), required=True,
                             metadata={"description": "id, email, name, mobile, sms_opt_in, active, roles…"})
    sites = ma.fields.List(ma.fields.Dict(), required=True,
                           metadata={"description": "Sites you are scoped to (none = every site for a doctor)."})
    doctor_profile = ma.fields.Dict(allow_none=True, required=True,
                                    metadata={"description": "Grade, ESR assignment number, GMC number."})
    documents = ma.fields.List(ma.fields.Dict(), required=True)
    bookings = ma.fields.List(ma.fields.Dict(), required=True, metadata={"description": "Each with its shift."})
    timesheets = ma.fields.List(ma.fields.Dict(), required=True, metadata={"description": "Each with pay lines."})
    alert_settings = ma.fields.Dict(allow_none=True, required=True)
    messages = ma.fields.List(ma.fields.Dict(), required=True, metadata={"description": "Texts sent to you."})
    audit_events = ma.fields.List(ma.fields.Dict(), required=True,
                                  metadata={"description": "Recorded changes to your account, bookings, "
                                            "timesheets and documents; other staff appear as 'trust staff'."})


class AnonymiseSchema(ma.Schema):
    reason = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500),
                              metadata={"description": "Why, e.g. 'Left the trust 2026-03-31'. Audited."})
