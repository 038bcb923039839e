"""Pages read their forms through the API's marshmallow schemas: one way to read input, one message per rule.

``load_form(schema, form)`` turns a posted form into what the schema expects
(blank fields left out so defaults apply; whole numbers, ticks and repeated
fields as the JSON API would send them) and returns ``(values, errors)``, the
errors as field → messages for the NHS.UK error summary and the messages
beside each field. ``domain_errors`` does the same for a service's refusal.
"""
import marshmallow as ma
from werkzeug.datastructures import MultiDict

from .errors import Conflict, DomainError, field_messages
from .transactions import attempt

GENERIC_DETAIL = "Some fields are not valid."
TICKED = {"y", "yes", "on", "true", "1"}


def _from_form(field, value):
    """Form text as the type the field loads in the API (strict integers, booleans)."""
    if isinstance(field, ma.fields.Integer) and isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if isinstance(field, ma.fields.Boolean) and isinstance(value, str):
        return value.lower() in TICKED
    return value


def form_data(schema: ma.Schema, form) -> dict:
    """The posted fields ``schema`` knows, stripped; blank ones left out; lists for list fields."""
    multi = form if isinstance(form, MultiDict) else MultiDict(form)
    data = {}
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        key = field.data_key or name
        if isinstance(field, ma.fields.List):
            values = [v.strip() if isinstance(v, str) else v for v in multi.getlist(key)]
            values = [_from_form(field.inner, v) for v in values if v != ""]
            if values or key in multi:
                data[key] = values
            continue
        if key not in multi:
            if isinstance(field, ma.fields.Boolean):
                data[key] = False  # an unticked box is not sent at all
            continue
        value = multi.get(key)
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                continue
        data[key] = _from_form(field, value)
    return data


def load_form(schema: ma.Schema, form, missing: dict | None = None) -> tuple[dict | None, dict]:
    """Load a posted form with ``schema``: ``(values, {})`` or ``(None, field errors)``.

    ``missing`` maps a required field to the message shown when it is left
    blank (e.g. {"code": "Enter a site code."}) where the schema has none of its own.
    """
    try:
        return schema.load(form_data(schema, form)), {}
    except ma.ValidationError as exc:
        return None, field_messages(exc, missing)


def domain_errors(exc: DomainError) -> dict:
    """A service's refusal as field → messages for the form macros (``_form`` when it names no field).

    A conflict on one field shows its specific detail ("A site with code BRM
    already exists.") rather than the terse "Already in use.". Rule reasons
    go under ``_form`` unless ``reason_fields`` names their field.
    """
    errors = {}
    if exc.errors:
        if isinstance(exc, Conflict) and len(exc.errors) == 1 and exc.detail != GENERIC_DETAIL:
            errors = {field: [exc.detail] for field in exc.errors}
        else:
            errors = {field: (msgs if isinstance(msgs, list) else [msgs]) for field, msgs in exc.errors.items()}
    for reason in exc.reasons or ():
        message = reason["message"] if isinstance(reason, dict) else reason.message
        errors.setdefault("_form", []).append(message)
    if not errors:
        errors["_form"] = [exc.detail]
    return errors


def submit_form(schema, form, missing, action):
    """The simple forms' one shape: load ``form`` with ``schema``, then ``action(**values)`` (a service).

    Returns ``(result, errors)``; a refusal undoes whatever the service wrote
    (``transactions.attempt``) and comes back as field → messages.
    """
    values, errors = load_form(schema, form, missing)
    if errors:
        return None, errors
    try:
        with attempt():
            result = action(**values)
    except DomainError as exc:
        return None, domain_errors(exc)
    return result, {}
