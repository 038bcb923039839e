"""What an uploaded document may be: PDF, JPEG or PNG, up to 10 MB, judged by its bytes.

The file's name and the content type the browser sent are ignored: the type
is read from the content's leading bytes (its magic number, by the
``filetype`` library), so a script renamed ``scan.pdf`` is refused. The
request's own size limit (``MAX_UPLOAD_LENGTH``, 10 MB for multipart bodies)
refuses a larger body before it is read; this check also holds the file
itself to ``MAX_DOCUMENT_BYTES``. Pure: no Flask, no database.
"""
from dataclasses import dataclass

import filetype

ACCEPTED_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# filetype reads at most this many leading bytes.
_HEAD = 8192


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    size: int

    @property
    def type_label(self) -> str:
        return ACCEPTED_TYPES[self.content_type]


def upload_problem(content: bytes | None) -> str | None:
    """Why ``content`` is not an acceptable document (a message for the field), or None."""
    if not content:
        return "Choose a file to upload: a PDF, JPEG or PNG."
    if len(content) > MAX_DOCUMENT_BYTES:
        return "The file must be 10 MB or smaller."
    kind = filetype.guess(content[:_HEAD])
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        return "The file must be a PDF, JPEG or PNG: this file is not one, whatever its name says."
    return None


def checked_file(content: bytes) -> CheckedFile:
    """``content`` as a CheckedFile; call ``upload_problem`` first (ValueError here otherwise)."""
    problem = upload_problem(content)
    if problem:
        raise ValueError(problem)
    return CheckedFile(content=content, content_type=filetype.guess(content[:_HEAD]).mime, size=len(content))


def size_text(size: int) -> str:
    """'120 KB', '2.4 MB'."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"
