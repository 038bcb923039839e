"""Where uploaded files live: a small storage layer outside the web root.

Documents (a doctor's renewal evidence, an applicant's compliance documents)
are kept as files named by a random id (``key``), never by the name the
upload came with, in ``DOCUMENT_STORAGE_PATH`` (a local directory, by
default ``instance/documents``; no URL reaches it: files are served only
through the permission-checked download routes). The database row holds the
key, the checked content type and the size.

A file is written before the row that refers to it is committed. If that
transaction rolls back, the files it wrote are deleted again
(``_forget_on_rollback``), so a refused or failed request leaves nothing
behind; files whose rows are deleted (a person anonymised, a document
removed) go only once
that transaction commits (``delete_after_commit``). Every row owns its file:
a row made from another (an applicant's document becoming the doctor's)
gets a ``copy``. Another backend (an object store) would implement the same
three calls: ``save``, ``read``, ``delete``.
"""
import logging
import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import event

from ..extensions import db

log = logging.getLogger(__name__)

_NEW_FILES = "bank_new_files"
_GONE_FILES = "bank_gone_files"


class LocalDirectoryStorage:
    """Files in one directory, each named by a random 32-hex-digit key."""

    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("not a storage key")
        return self.root / key[:2] / key

    def save(self, content: bytes) -> str:
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as out:  # never overwrite
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        return key

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def storage() -> LocalDirectoryStorage:
    return LocalDirectoryStorage(current_app.config["DOCUMENT_STORAGE_PATH"])


def store(content: bytes) -> str:
    """Save ``content`` and return its key; deleted again if the current transaction rolls back."""
    session = db.session()
    session.connection()  # the transaction the file belongs to has begun, so its end is seen
    key = storage().save(content)
    session.info.setdefault(_NEW_FILES, []).append((storage(), key))
    _watch(session)
    return key


def copy(key: str) -> str:
    """A copy of a stored file under a new key (deleted again if the current transaction rolls back), so that
    each row owns its file and deleting one never takes another's."""
    return store(storage().read(key))


def delete_after_commit(keys) -> int:
    """Delete these stored files once the current transaction commits (kept if it rolls back); returns how many."""
    keys = [k for k in dict.fromkeys(keys) if k]
    session = db.session()
    session.info.setdefault(_GONE_FILES, []).extend((storage(), k) for k in keys)
    _watch(session)
    return len(keys)


def _watch(session):
    if not event.contains(session, "after_soft_rollback", _forget_on_rollback):
        event.listen(session, "after_soft_rollback", _forget_on_rollback)
        event.listen(session, "after_commit", _keep_on_commit)


def _forget_on_rollback(session, previous_transaction):
    if previous_transaction.parent is not None:  # a savepoint: the outer transaction may still commit
        return
    session.info.pop(_GONE_FILES, None)
    for backend, key in session.info.pop(_NEW_FILES, []):
        try:
            backend.delete(key)
        except OSError:  # noqa: PERF203 - one missing file must not stop the others
            log.warning("could not delete the uploaded file %s after a rollback", key, exc_info=True)


def _keep_on_commit(session):
    session.info.pop(_NEW_FILES, None)
    for backend, key in session.info.pop(_GONE_FILES, []):
        try:
            backend.delete(key)
        except OSError:  # noqa: PERF203 - one file left behind must not stop the others
            log.warning("could not delete the stored file %s", key, exc_info=True)
