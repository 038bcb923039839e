"""Pure rules of the audit trail: the keyed hash chain and readable diffs (no Flask, no DB).

Each sealed event stores ``seq`` (its place in the chain), ``prev_hash`` (the
hash of the event before it, 64 zeros for the first) and ``hash``: an
HMAC-SHA256, keyed with ``AUDIT_HMAC_KEY``, over a canonical JSON of the
event's content and both chain fields. Editing any of those fields changes
the hash, and without the key (held outside the database) nobody can work
out the hash an edited row should carry, so recomputing the chain after an
edit does not hide it; deleting an event leaves a gap in ``seq`` or a
``prev_hash`` that no longer matches.

The newest events have no successor to betray their deletion. For them the
chain is compared with its *heads*: the ``(seq, hash)`` recorded at each
sealing, in the database (``audit_seals``) and outside it (the anchor file,
``audit/anchor.py``). A head whose event is gone, or carries another hash,
is reported.
"""
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("seq", "prev_hash", "at", "actor_id", "action", "entity_type", "entity_id", "before", "after")


def _plain_json(value):
    """The value as it reads back from a JSON column (string keys, lists, no tuples)."""
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def canonical_at(at: datetime) -> str:
    """UTC to the microsecond, the same on every database."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_event(*, seq, prev_hash, at, actor_id, action, entity_type, entity_id, before, after) -> str:
    body = {
        "seq": int(seq),
        "prev_hash": prev_hash,
        "at": canonical_at(at),
        "actor_id": None if actor_id is None else int(actor_id),
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "before": _plain_json(before),
        "after": _plain_json(after),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(key: bytes, **fields) -> str:
    """HMAC-SHA256 of the event under ``key``, as 64 hex digits."""
    return hmac.new(key, canonical_event(**fields).encode("utf-8"), hashlib.sha256).hexdigest()


def hash_of_row(row, key: bytes) -> str:
    """The hash an event row (any object with the hashed fields as attributes) should carry."""
    return event_hash(key, **{name: getattr(row, name) for name in HASHED_FIELDS})


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "edited", "deleted", "relinked", "truncated", "unanchored"
    message: str
    event_id: int | None = None


@dataclass(frozen=True)
class Head:
    """The chain's head as recorded at one sealing: ``where`` names the record (seal table, anchor file)."""

    seq: int
    hash: str
    where: str


def _link_problem(row, expected_seq, prev_hash, key):
    problems = []
    if row.seq != expected_seq:
        missing = f"{expected_seq}" if row.seq - expected_seq == 1 else f"{expected_seq}–{row.seq - 1}"
        problems.append(ChainProblem(expected_seq, "deleted", f"events seq {missing} are missing (deleted)", row.id))
    elif row.prev_hash != prev_hash:
        problems.append(ChainProblem(row.seq, "relinked", f"seq {row.seq} does not follow seq {row.seq - 1}: an "
                                     "event before it was removed, replaced or re-hashed", row.id))
    if hash_of_row(row, key) != row.hash:
        problems.append(ChainProblem(row.seq, "edited", f"seq {row.seq} (event {row.id}) was edited after it was "
                                     "sealed", row.id))
    return problems


def _head_problems(heads, seen: dict, last_seq: int):
    problems = []
    for head in heads:
        if head.seq > last_seq:
            problems.append(ChainProblem(last_seq + 1, "truncated", f"the newest sealed events (seq "
                                         f"{last_seq + 1}–{head.seq}) are missing (deleted): the {head.where} "
                                         f"records seq {head.seq}"))
        elif head.seq in seen and seen[head.seq] != head.hash:
            problems.append(ChainProblem(head.seq, "relinked", f"seq {head.seq} no longer has the hash the "
                                         f"{head.where} recorded when it was sealed: the chain was rewritten"))
    return problems


def walk_chain(rows, *, key: bytes, heads=()):
    """Check sealed rows given in ``seq`` order against each other and the recorded ``heads``.

    Returns (count, problems). Each problem is reported once: an edited row
    does not also break the link to the row after it, because links are
    checked against stored hashes; a head is reported once, however many
    records hold it.
    """
    wanted = {head.seq for head in heads}
    seen, problems = {}, []
    count, expected_seq, prev_hash = 0, 1, GENESIS_HASH
    for row in rows:
        count += 1
        problems.extend(_link_problem(row, expected_seq, prev_hash, key))
        if row.seq in wanted:
            seen[row.seq] = row.hash
        prev_hash, expected_seq = row.hash, row.seq + 1
    found = _head_problems(heads, seen, expected_seq - 1)
    unique = {(p.seq, p.kind): p for p in found}
    problems.extend(unique.values())
    problems.sort(key=lambda p: p.seq)
    return count, problems


def readable_diff(before, after):
    """Key/value rows for a person: [(key, before, after, changed)], keys in a stable order.

    Nested values are shown as compact JSON; a key only on one side shows
    None on the other.
    """
    before = before if isinstance(before, dict) else ({} if before is None else {"value": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"value": after})
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    rows = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        rows.append((key, _show(old), _show(new), key not in before or key not in after or old != new))
    return rows


def _show(value):
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
