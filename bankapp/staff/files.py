"""Serving an uploaded file to someone allowed to see it (the routes check who)."""
from flask import Response

from ..errors import NotFound
from . import storage

EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def file_response(doc, *, name=None) -> Response:
    """The stored file of ``doc`` (a row with ``file_key``, ``content_type``, ``kind``, ``id``), shown inline.

    Never cached and never sniffed (the type is the one read from its bytes at upload); the app's
    strict Content Security Policy applies to it like any page."""
    if not getattr(doc, "file_key", None):
        raise NotFound("This document has no file: it was entered by staff.")
    try:
        content = storage.storage().read(doc.file_key)
    except FileNotFoundError:
        raise NotFound("The file of this document is no longer kept.") from None
    filename = name or f"{doc.kind.replace('_', '-')}-{doc.id}.{EXTENSIONS.get(doc.content_type, 'bin')}"
    return Response(content, mimetype=doc.content_type, headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    })
