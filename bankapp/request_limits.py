"""What a request may send, checked before anything reads its body.

Registered as the app's first ``before_request`` hook, so it runs before the
login throttle (which reads the body to find the email), CSRF and the views:

- **Size.** Each request gets a body limit by its content type:
  ``multipart/form-data`` (file uploads) may send ``MAX_UPLOAD_LENGTH``
  (10 MB), everything else ``MAX_CONTENT_LENGTH`` (1 MB: JSON, forms). A
  declared ``Content-Length`` above it is answered 413 at once, without
  reading a byte; a chunked body is cut off by Werkzeug at the same limit
  (``request.max_content_length``, per request since Flask 3.1). A new upload
  route inherits the upload limit by being multipart; nothing to register.
- **JSON.** A JSON body must be well-formed UTF-8 JSON, nested at most
  ``JSON_MAX_DEPTH`` deep, with no lone surrogate (``"\\ud800"``) anywhere in
  its strings or keys: such a string can be parsed but never stored or sent
  back (UnicodeEncodeError). Anything else is 400 problem details naming the
  fault, before a schema or a view sees it.

Every 413 carries ``Connection: close`` (``errors.handle_http_exception``):
the server then drops the connection instead of reading the rest of the
body to find the next request.
"""
import json
import re

from flask import current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

UPLOAD_MIMETYPES = ("multipart/form-data",)
JSON_MAX_DEPTH = 32
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidJson(BadRequest):
    """The request body is not JSON the app can take (400)."""

    def __init__(self, detail):
        super().__init__(f"The request body is not valid JSON: {detail}")


class BodyTooLarge(RequestEntityTooLarge):
    def __init__(self, limit):
        super().__init__(f"The request body is larger than {limit:,} bytes, the most this address accepts.")


def body_limit(mimetype: str) -> int:
    """The largest body (bytes) a request of this content type may send."""
    key = "MAX_UPLOAD_LENGTH" if mimetype in UPLOAD_MIMETYPES else "MAX_CONTENT_LENGTH"
    return int(current_app.config[key])


def _depth_and_text(value):
    """(nesting depth, every string and key) of a parsed JSON value, without recursion."""
    depth, texts, stack = 0, [], [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, dict):
            depth = max(depth, level)
            texts.extend(item.keys())
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            depth = max(depth, level)
            stack.extend((v, level + 1) for v in item)
    return depth, texts


def strict_loads(data):
    """Parse JSON, refusing what the app could not store: raises InvalidJson saying why."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise InvalidJson(f"it is nested more than {JSON_MAX_DEPTH} levels deep.") from None
    except UnicodeDecodeError:
        raise InvalidJson("it is not UTF-8 text.") from None
    except ValueError as exc:
        raise InvalidJson(f"{exc}.") from None
    depth, texts = _depth_and_text(value)
    if depth > JSON_MAX_DEPTH:
        raise InvalidJson(f"it is nested more than {JSON_MAX_DEPTH} levels deep.")
    if any(_LONE_SURROGATE.search(text) for text in texts):
        raise InvalidJson("a string holds a lone surrogate (\\ud800–\\udfff), which is not a character.")
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """``request.get_json()`` everywhere parses with ``strict_loads``."""

    def loads(self, s, **kwargs):
        return strict_loads(s)


def _has_body() -> bool:
    return bool(request.content_length) or request.headers.get("Transfer-Encoding", "").lower() == "chunked"


def check_request():
    """before_request: the body's size, then (for JSON) its shape."""
    limit = body_limit(request.mimetype)
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLarge(limit)
    if request.is_json and _has_body():
        try:
            data = request.get_data(cache=True)
            if len(data) >= limit:  # a chunked body is cut at the limit; Werkzeug raises on the next read
                request.stream.read(1)
        except RequestEntityTooLarge:
            raise BodyTooLarge(limit) from None
        strict_loads(data)


def init_app(app):
    """Must run before any other extension registers a before_request hook."""
    app.json = StrictJSONProvider(app)
    app.before_request(check_request)
