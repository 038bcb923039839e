"""Sealing and verifying the audit hash chain (HMAC-SHA256 keyed with ``AUDIT_HMAC_KEY``).

Writers never touch the chain: ``record_audit`` inserts a row with
``seq`` NULL, so the write path takes no lock. A sealing step (the
``seal_audit`` job every minute, ``flask bank seal-audit``, and the start of
``verify-audit``) links the unsealed rows into the chain under a PostgreSQL
advisory transaction lock, so two sealers never interleave. A sealer that
waits for the lock sees the other's rows once it gets it (READ COMMITTED:
each statement reads what is committed), and the unique index on ``seq``
backs this up.

Each sealing also records its head in ``audit_seals`` and, once committed,
in the anchor file outside the database (``anchor.py``); ``verify_audit_chain``
checks the chain against both.

Like every service, these flush and never commit; the caller commits.
"""
import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import text

from ..extensions import db
from ..timeutil import now_utc
from . import anchor
from .models import AuditEvent, AuditSeal
from .rules import GENESIS_HASH, ChainProblem, Head, hash_of_row, walk_chain

log = logging.getLogger(__name__)

# Arbitrary, stable key for pg_advisory_xact_lock: "audit chain".
SEAL_LOCK_KEY = 0x0A0D17C4A1
SEAL_BATCH = 1000
# Development and tests only: a deployment refuses to start without its own key (see check_settings).
DEVELOPMENT_KEY = "development-audit-key-not-secret"


def check_settings(app) -> None:
    """A deployment must hold its own audit key: refuse to start without one.

    A deployment is any configuration with its own ``SECRET_KEY`` (the
    development default is not one); development and tests get a fixed key.
    """
    if app.config.get("AUDIT_HMAC_KEY"):
        return
    deployed = app.config.get("SECRET_KEY") != app.config.get("DEVELOPMENT_SECRET_KEY") and not app.testing
    if deployed:
        raise RuntimeError("AUDIT_HMAC_KEY is not set: a deployment needs its own audit key, kept outside the "
                           "database (e.g. python3 -c 'import secrets; print(secrets.token_hex(32))').")
    app.config["AUDIT_HMAC_KEY"] = DEVELOPMENT_KEY


def audit_key() -> bytes:
    return current_app.config["AUDIT_HMAC_KEY"].encode("utf-8")


def _lock_chain():
    """Serialise sealers until the end of the transaction (no-op on SQLite, whose writers are serial)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEAL_LOCK_KEY})


def chain_head():
    """(seq, hash) of the newest sealed event, or (0, 64 zeros) for an empty chain."""
    row = db.session.execute(db.select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.is_not(None))
                             .order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def seal_audit_chain() -> int:
    """Link every unsealed event into the chain, oldest id first. Returns how many were sealed."""
    _lock_chain()
    key = audit_key()
    last_seq, last_hash = chain_head()
    first_seq = last_seq + 1
    sealed = 0
    while True:
        batch = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.seq.is_(None)).order_by(AuditEvent.id).limit(SEAL_BATCH)
            .execution_options(populate_existing=True)
        ).scalars().all()
        if not batch:
            break
        for event in batch:
            last_seq += 1
            event.seq = last_seq
            event.prev_hash = last_hash
            event.hash = hash_of_row(event, key)
            last_hash = event.hash
        db.session.flush()
        sealed += len(batch)
    if sealed:
        sealed_at = now_utc()
        db.session.add(AuditSeal(sealed_at=sealed_at, first_seq=first_seq, last_seq=last_seq, last_hash=last_hash))
        db.session.flush()
        anchor.note_head(last_seq, last_hash, sealed_at)
        log.info("sealed %d audit events; chain head seq %d hash %s", sealed, last_seq, last_hash)
    return sealed


@dataclass
class ChainReport:
    count: int
    problems: list[ChainProblem] = field(default_factory=list)
    head_seq: int = 0
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_broken_seq(self) -> int | None:
        return self.problems[0].seq if self.problems else None


def _sealed_rows():
    columns = (AuditEvent.id, AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.at,
               AuditEvent.actor_id, AuditEvent.action, AuditEvent.entity_type, AuditEvent.entity_id,
               AuditEvent.before, AuditEvent.after)
    stmt = db.select(*columns).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq)
    return db.session.execute(stmt.execution_options(yield_per=SEAL_BATCH))


def _recorded_heads(problems) -> list[Head]:
    """The heads to check the chain against: the latest seal row, and every head in the anchor file."""
    seal = db.session.execute(db.select(AuditSeal).order_by(AuditSeal.last_seq.desc()).limit(1)).scalar_one_or_none()
    heads, unreadable = anchor.read_heads(anchor.anchor_path())
    problems.extend(ChainProblem(0, "unanchored", message) for message in unreadable)
    if seal is not None and not heads:
        problems.append(ChainProblem(0, "unanchored", f"the anchor file {anchor.anchor_path()} records no seal, but "
                                     f"the database has sealed events up to seq {seal.last_seq}: it was removed "
                                     "or emptied, or AUDIT_ANCHOR_PATH points elsewhere"))
    return ([Head(seal.last_seq, seal.last_hash, "seal table")] if seal else []) + heads


def verify_audit_chain() -> ChainReport:
    """Walk the sealed chain in ``seq`` order and report edits and deletions (seal first to cover everything)."""
    problems = []
    heads = _recorded_heads(problems)
    count, found = walk_chain(_sealed_rows(), key=audit_key(), heads=heads)
    head_seq, head_hash = chain_head()
    return ChainReport(count=count, problems=sorted(problems + found, key=lambda p: p.seq), head_seq=head_seq,
                       head_hash=head_hash)
