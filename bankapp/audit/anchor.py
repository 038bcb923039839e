"""The audit chain's anchor: every seal's head, appended to a file outside the database.

Someone who can change the database can delete the newest audit events
together with the seal rows that recorded them, and the chain that is left
is whole. The anchor file (``AUDIT_ANCHOR_PATH``; ``instance/audit-anchor.jsonl``
by default) keeps every head ``{"seq", "hash", "sealed_at"}`` one JSON line
at a time, only ever appended to, so ``verify-audit`` still knows how far
the chain reached. Keep it where the database's users cannot write: on the
scheduler's machine (sealing runs there), on storage that is backed up; an
append-only attribute (``chattr +a``) or a WORM share make it stronger.

A head is appended only after the transaction that sealed it commits (a
rolled-back seal leaves nothing behind); a crash between the two leaves the
file one head behind, which the next seal makes good.
"""
import json
import logging
import os
from pathlib import Path

from flask import current_app
from sqlalchemy import event

from ..extensions import db
from .rules import Head

log = logging.getLogger(__name__)
PENDING = "audit_anchor_pending"
WHERE = "anchor file"


def anchor_path() -> Path:
    return Path(current_app.config["AUDIT_ANCHOR_PATH"])


def append_heads(path: Path, heads) -> None:
    """Append ``(seq, hash, sealed_at)`` heads as JSON lines, flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps({"seq": seq, "hash": hash_, "sealed_at": sealed_at.isoformat()}) + "\n"
                    for seq, hash_, sealed_at in heads)
    with open(path, "a", encoding="utf-8") as out:  # O_APPEND: each write lands at the end
        out.write(lines)
        out.flush()
        os.fsync(out.fileno())


def read_heads(path: Path) -> tuple[list[Head], list[str]]:
    """(heads, problems): the anchored heads, and a line for each line that cannot be read."""
    if not path.exists():
        return [], []
    heads, problems = [], []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                heads.append(Head(int(item["seq"]), str(item["hash"]), WHERE))
            except (ValueError, KeyError, TypeError):
                problems.append(f"line {number} of the anchor file is not a seal head")
    return heads, problems


def note_head(seq: int, hash_: str, sealed_at) -> None:
    """Queue a head for the anchor file; written when the session's transaction commits."""
    db.session.info.setdefault(PENDING, []).append((seq, hash_, sealed_at))


def _write_pending(session):
    heads = session.info.pop(PENDING, None)
    if heads:
        append_heads(anchor_path(), heads)
        log.info("anchored audit chain head seq %s", heads[-1][0])


def _forget_pending(session, *args):
    session.info.pop(PENDING, None)


def init_anchor():
    """Write queued heads after each commit, forget them on rollback (once per process)."""
    if not event.contains(db.session, "after_commit", _write_pending):
        event.listen(db.session, "after_commit", _write_pending)
        event.listen(db.session, "after_rollback", _forget_pending)
