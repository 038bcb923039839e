"""Domain errors and RFC 9457 problem details.

Services raise the domain errors below; the API turns them into
``application/problem+json`` and the pages into a flash message or an error
page. Field errors go in ``errors`` (field -> messages); rule refusals list
*every* reason in ``reasons``.
"""
import logging

from flask import current_app, jsonify, render_template, request
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://staffbank.nhs.example/problems/"


class DomainError(Exception):
    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail=None, *, errors=None, reasons=None, title=None, type_slug=None, extensions=None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.reasons = reasons
        # RFC 9457 extension members the problem carries besides errors and reasons (JSON values).
        self.extensions = extensions or {}
        if title:
            self.title = title
        if type_slug:
            self.type_slug = type_slug


class ValidationFailed(DomainError):
    """Input that is well-formed JSON but breaks a field rule (422)."""

    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"


class RuleRefused(DomainError):
    """A business rule refuses the action; ``reasons`` lists them all (422)."""

    status = 422
    title = "Refused by the rules"
    type_slug = "rule-refused"


class NotFound(DomainError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"
    type_slug = "unauthorized"


def reasons_as_dicts(reasons):
    out = []
    for r in reasons or ():
        out.append(r if isinstance(r, dict) else {"code": r.code, "message": r.message})
    return out


def problem_response(status, title, detail=None, *, type_slug=None, errors=None, reasons=None, headers=None,
                     extensions=None):
    body = {
        **(extensions or {}),
        "type": PROBLEM_BASE + type_slug if type_slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if errors:
        body["errors"] = errors
    if reasons:
        body["reasons"] = reasons_as_dicts(reasons)
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = PROBLEM_JSON
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    if status == 401:
        resp.headers.setdefault("WWW-Authenticate", 'Bearer realm="staffbank"')
    return resp


def wants_problem_json():
    return request.path.startswith("/api/")


# Refusals of a request's body itself (too large, not JSON): problem details on pages too, unless a
# browser asked for the page (it then gets the same words on an error page).
BODY_REFUSALS = (400, 413)


def _browser_wants_page() -> bool:
    return request.accept_mimetypes.best_match([PROBLEM_JSON, "text/html"]) == "text/html"


def field_messages(exc, missing=None) -> dict[str, list[str]]:
    """A marshmallow ValidationError as field -> list of messages, for the form macros.

    ``missing`` maps a required field to the message shown when it is left
    out, e.g. {"code": "Enter a site code."}.
    """
    errors = {}
    for field, messages in exc.normalized_messages().items():
        messages = messages if isinstance(messages, list) else [messages]
        if missing and field in missing and "Missing data for required field." in messages:
            messages = [missing[field]]
        errors[field] = messages
    return errors


def _flatten_webargs(messages):
    """webargs nests errors by location ({"json": {...}}); the contract wants field -> messages."""
    if not isinstance(messages, dict):
        return {"_body": messages}
    flat = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            for field, msgs in fields.items():
                flat[field] = msgs if isinstance(msgs, (list, dict)) else [msgs]
        else:
            flat[location] = fields if isinstance(fields, list) else [fields]
    return flat


def _extra_headers(error: HTTPException) -> dict:
    """Headers an error keeps on its problem or page: Retry-After on 429, Connection: close on 413."""
    if error.code == 429:
        return dict(getattr(error, "headers", None) or {})
    if error.code == 413:
        return {"Connection": "close"}
    return {}


def handle_http_exception(error: HTTPException):
    """Used for every HTTPException (also registered by flask-smorest)."""
    status = error.code or 500
    body_refused = status in BODY_REFUSALS and not wants_problem_json()
    if body_refused and _browser_wants_page():
        page = DomainError(error.description, title=error.name)
        return render_template("errors/generic.html", error=page), status, _extra_headers(error)
    if wants_problem_json() or body_refused:
        data = getattr(error, "data", None) or {}
        errors = _flatten_webargs(data.get("messages")) if data.get("messages") else None
        title = "Invalid input" if status == 422 else error.name
        detail = "Some fields are not valid." if errors else error.description
        slug = "invalid-input" if errors else None
        return problem_response(status, title, detail, type_slug=slug, errors=errors, headers=_extra_headers(error))
    template = f"errors/{status}.html" if status in (403, 404, 429) else None
    if template:
        return render_template(template, error=error), status
    return error


def handle_domain_error(error: DomainError):
    if wants_problem_json():
        return problem_response(error.status, error.title, error.detail, type_slug=error.type_slug,
                                errors=error.errors, reasons=error.reasons, extensions=error.extensions)
    if error.status in (403, 404):
        return render_template(f"errors/{error.status}.html", error=error), error.status
    return render_template("errors/generic.html", error=error), error.status


# The request's transaction has already been ended by the edge (``bankapp.transactions``)
# before any of these handlers runs: they only answer.


def handle_integrity_error(error: IntegrityError):
    """A constraint the services did not foresee: a conflict, never a 500."""
    log.warning("integrity error: %s", error.orig)
    detail = "This change conflicts with data that already exists."
    if wants_problem_json():
        return problem_response(409, "Conflict", detail, type_slug="conflict")
    return render_template("errors/generic.html", error=Conflict(detail)), 409


def handle_out_of_range(error: Exception):
    """A value the database cannot store (a number too big for its column, text too long): the
    input's fault, so 422, never a 500. Schemas should catch these first and name the field."""
    log.warning("value out of range for the database: %s", error)
    detail = "A number or text in the request is too large to store."
    if wants_problem_json():
        return problem_response(422, "Invalid input", detail, type_slug="invalid-input")
    return render_template("errors/generic.html", error=ValidationFailed(detail)), 422


def handle_database_unavailable(error: Exception):
    """The database went away or refused the connection mid-request: 503, try again, never a bare 500."""
    log.error("database unavailable: %s", getattr(error, "orig", error))
    detail = "The service could not reach its database. Nothing was saved; please try again in a moment."
    if wants_problem_json():
        return problem_response(503, "Service unavailable", detail, type_slug="database-unavailable",
                                headers={"Retry-After": "5"})
    try:
        page = render_template("errors/generic.html", error=DomainError(detail, title="Service unavailable"))
    except Exception:  # noqa: BLE001 - the page itself needed the database
        page = f"<!doctype html><html lang=en><title>Service unavailable</title><h1>Service unavailable</h1><p>{detail}"
    return page, 503, {"Retry-After": "5"}


def handle_unexpected(error: Exception):
    current_app.logger.exception("unhandled error")
    if wants_problem_json():
        return problem_response(500, "Internal server error", "Something went wrong on our side.")
    return render_template("errors/500.html"), 500


def register_error_handlers(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(DataError, handle_out_of_range)
    app.register_error_handler(OverflowError, handle_out_of_range)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(InterfaceError, handle_database_unavailable)
    if not app.testing:
        app.register_error_handler(Exception, handle_unexpected)


def constraint_name(error: IntegrityError) -> str | None:
    """The name of the violated constraint, on PostgreSQL and SQLite."""
    diag = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    if diag:
        return diag
    return None


def violated(error: IntegrityError, name: str, *, columns: str | None = None) -> bool:
    """True when the IntegrityError is about constraint (or index) ``name``.

    PostgreSQL reports the name. SQLite reports only the columns of a unique
    index ("UNIQUE constraint failed: bookings.shift_id"), so pass them as
    ``columns="bookings.shift_id"`` for unique indexes.
    """
    if constraint_name(error) == name:
        return True
    message = str(error.orig)
    if name in message:
        return True
    return bool(columns) and f"UNIQUE constraint failed: {columns}" in message
