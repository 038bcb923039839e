"""The migration that keys the audit chain: existing sealed events are re-sealed with HMAC, the new head is
anchored, and the downgrade puts the plain SHA-256 chain back."""
import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from bankapp import create_app
from bankapp.audit.anchor import read_heads
from bankapp.audit.chain import verify_audit_chain
from bankapp.audit.models import AuditEvent, AuditSeal
from bankapp.audit.rules import GENESIS_HASH, canonical_event
from bankapp.extensions import db
from config import TestConfig
from tests.test_migrations import scratch_postgres

BEFORE_KEYED = "b7c1d2e3f401"


def _plain_chain(conn, n):
    """``n`` events sealed the way they were before the key: plain SHA-256, one seal row."""
    events, seals = AuditEvent.__table__, AuditSeal.__table__
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        fields = {"seq": seq, "prev_hash": prev, "at": datetime(2026, 11, 1, 9, seq, tzinfo=UTC), "actor_id": None,
                  "action": "thing.changed", "entity_type": "thing", "entity_id": str(seq), "before": None,
                  "after": {"n": seq}}
        digest = hashlib.sha256(canonical_event(**fields).encode()).hexdigest()
        conn.execute(events.insert().values(**fields, hash=digest))
        prev = digest
    conn.execute(seals.insert().values(sealed_at=datetime(2026, 11, 1, 10, tzinfo=UTC), first_seq=1, last_seq=n,
                                       last_hash=prev))
    return prev


def _roundtrip(url):
    class MigrationConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(MigrationConfig)
    anchor = Path(app.config["AUDIT_ANCHOR_PATH"])
    anchor.unlink(missing_ok=True)
    with app.app_context():
        upgrade(revision=BEFORE_KEYED)
        with db.engine.begin() as conn:
            plain_head = _plain_chain(conn, 5)
        upgrade()
        report = verify_audit_chain()
        assert report.ok, report.problems
        assert report.count == 5 and report.head_hash != plain_head
        heads, _ = read_heads(anchor)
        assert [(h.seq, h.hash) for h in heads] == [(5, report.head_hash)]
        db.session.remove()
        downgrade(revision=BEFORE_KEYED)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT hash FROM audit_events WHERE seq = 5")).scalar() == plain_head
            assert conn.execute(text("SELECT last_hash FROM audit_seals")).scalar() == plain_head
        downgrade(revision="base")
        db.session.remove()
        db.engine.dispose()
    anchor.unlink(missing_ok=True)


def test_existing_events_are_resealed_with_the_key_and_back_sqlite(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'reseal.db'}")


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL: set TEST_DATABASE_URL")
def test_existing_events_are_resealed_with_the_key_and_back_postgres():
    with scratch_postgres("reseal_check") as url:
        _roundtrip(url)
