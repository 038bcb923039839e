"""Pure rules of the audit trail: the hash chain and readable diffs (no Flask, no DB).

Each sealed event stores ``seq`` (its place in the chain), ``prev_hash`` (the
hash of the event before it, 64 zeros for the first) and ``hash``: SHA-256
over a canonical JSON of the event's content and both chain fields. Editing
any of those fields changes the hash; deleting an event leaves a gap in
``seq`` or a ``prev_hash`` that no longer matches.
"""
import hashlib
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


def event_hash(**fields) -> str:
    return hashlib.sha256(canonical_event(**fields).encode("utf-8")).hexdigest()


def hash_of_row(row) -> str:
    """The hash an event row (any object with the hashed fields as attributes) should carry."""
    return event_hash(**{name: getattr(row, name) for name in HASHED_FIELDS})


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "edited", "deleted", "relinked", "truncated"
    message: str
    event_id: int | None = None


def walk_chain(rows, *, last_seal=None):
    """Check sealed rows given in ``seq`` order. Returns (count, problems).

    ``last_seal`` is ``(last_seq, last_hash)`` of the latest sealing run, or
    None; with it, deleting the newest events (no gap left) is seen too.
    Each problem is reported once: an edited row does not also break the link
    to the row after it, because links are checked against stored hashes.
    """
    problems = []
    count = 0
    expected_seq = 1
    prev_hash = GENESIS_HASH
    sealed_seq, sealed_hash = last_seal if last_seal is not None else (None, None)
    hash_at_seal = sealed_hash
    for row in rows:
        count += 1
        if row.seq != expected_seq:
            missing = f"{expected_seq}" if row.seq - expected_seq == 1 else f"{expected_seq}–{row.seq - 1}"
            problems.append(ChainProblem(expected_seq, "deleted",
                                         f"events seq {missing} are missing (deleted)", row.id))
        elif row.prev_hash != prev_hash:
            problems.append(ChainProblem(row.seq, "relinked",
                                         f"seq {row.seq} does not follow seq {row.seq - 1}: an event before it "
                                         "was removed, replaced or re-hashed", row.id))
        if hash_of_row(row) != row.hash:
            problems.append(ChainProblem(row.seq, "edited", f"seq {row.seq} (event {row.id}) was edited "
                                         "after it was sealed", row.id))
        if row.seq == sealed_seq:
            hash_at_seal = row.hash
        prev_hash = row.hash
        expected_seq = row.seq + 1
    if sealed_seq is not None:
        if expected_seq - 1 < sealed_seq:
            problems.append(ChainProblem(expected_seq, "truncated",
                                         f"the newest sealed events (seq {expected_seq}–{sealed_seq}) are missing "
                                         "(deleted)"))
        elif hash_at_seal != sealed_hash:
            problems.append(ChainProblem(sealed_seq, "relinked",
                                         f"seq {sealed_seq} no longer has the hash recorded when it was sealed: "
                                         "the chain was rewritten"))
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
