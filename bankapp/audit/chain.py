"""Sealing and verifying the audit hash chain.

Writers never touch the chain: ``record_audit`` inserts a row with
``seq`` NULL, so the write path takes no lock. A sealing step (the
``seal_audit`` job every minute, ``flask bank seal-audit``, and the start of
``verify-audit``) links the unsealed rows into the chain under a PostgreSQL
advisory transaction lock, so two sealers never interleave. A sealer that
waits for the lock sees the other's rows once it gets it (READ COMMITTED:
each statement reads what is committed), and the unique index on ``seq``
backs this up.

Like every service, these flush and never commit; the caller commits.
"""
import logging
from dataclasses import dataclass, field

from sqlalchemy import text

from ..extensions import db
from ..timeutil import now_utc
from .models import AuditEvent, AuditSeal
from .rules import GENESIS_HASH, ChainProblem, hash_of_row, walk_chain

log = logging.getLogger(__name__)

# Arbitrary, stable key for pg_advisory_xact_lock: "audit chain".
SEAL_LOCK_KEY = 0x0A0D17C4A1
SEAL_BATCH = 1000


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
            event.hash = hash_of_row(event)
            last_hash = event.hash
        db.session.flush()
        sealed += len(batch)
    if sealed:
        db.session.add(AuditSeal(sealed_at=now_utc(), first_seq=first_seq, last_seq=last_seq, last_hash=last_hash))
        db.session.flush()
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


def verify_audit_chain() -> ChainReport:
    """Walk the sealed chain in ``seq`` order and report edits and deletions (seal first to cover everything)."""
    seal = db.session.execute(db.select(AuditSeal).order_by(AuditSeal.last_seq.desc()).limit(1)).scalar_one_or_none()
    last_seal = (seal.last_seq, seal.last_hash) if seal else None
    count, problems = walk_chain(_sealed_rows(), last_seal=last_seal)
    head_seq, head_hash = chain_head()
    return ChainReport(count=count, problems=problems, head_seq=head_seq, head_hash=head_hash)
