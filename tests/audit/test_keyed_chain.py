"""The audit chain against someone who can change the database: a keyed hash (HMAC) they cannot recompute,
seal heads written outside the database (the anchor file), and on PostgreSQL a guard that refuses changes."""
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import config
from bankapp import create_app
from bankapp.audit.anchor import read_heads
from bankapp.audit.chain import seal_audit_chain, verify_audit_chain
from bankapp.audit.models import AuditEvent, AuditSeal
from bankapp.audit.rules import GENESIS_HASH, HASHED_FIELDS, canonical_event, event_hash
from bankapp.extensions import db
from tests.audit.test_chain import KEY, _events, _sealed, tamper
from tests.conftest import requires_postgres


def _sealed_events(n):
    _events(n)
    seal_audit_chain()
    db.session.commit()


def _kinds():
    return [(p.seq, p.kind) for p in verify_audit_chain().problems]


def _rehash_all(hasher):
    """Recompute the whole chain (and the seal rows) as an attacker would, with ``hasher(fields) -> hex``."""
    prev = GENESIS_HASH
    for row in _sealed():
        fields = {name: getattr(row, name) for name in HASHED_FIELDS}
        fields["prev_hash"] = prev
        new = hasher(fields)
        tamper("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :id", {"p": prev, "h": new, "id": row.id})
        tamper("UPDATE audit_seals SET last_hash = :h WHERE last_seq = :s", {"h": new, "s": row.seq})
        prev = new
    db.session.expire_all()


def test_hashes_are_keyed(app):
    _sealed_events(1)
    row = _sealed()[0]
    fields = {name: getattr(row, name) for name in HASHED_FIELDS}
    assert row.hash == event_hash(KEY, **fields)
    assert row.hash != hashlib.sha256(canonical_event(**fields).encode()).hexdigest()


def test_an_edit_with_the_whole_chain_recomputed_without_the_key_is_found():
    _sealed_events(4)
    tamper("UPDATE audit_events SET after = :v WHERE seq = 2", {"v": '{"n": 999}'})
    _rehash_all(lambda fields: hashlib.sha256(canonical_event(**fields).encode()).hexdigest())
    assert [kind for _, kind in _kinds()].count("edited") == 4


def test_an_edit_recomputed_with_the_key_is_still_found_by_the_anchor():
    """Even someone holding the key cannot rewrite what the anchor file recorded outside the database."""
    _sealed_events(4)
    tamper("UPDATE audit_events SET after = :v WHERE seq = 2", {"v": '{"n": 999}'})
    _rehash_all(lambda fields: event_hash(KEY, **fields))
    assert _kinds() == [(4, "relinked")]


def test_deleting_the_newest_events_with_their_seal_is_found_by_the_anchor():
    _sealed_events(3)
    _events(2, start=4)
    seal_audit_chain()
    db.session.commit()
    tamper("DELETE FROM audit_events WHERE seq >= 4")
    tamper("DELETE FROM audit_seals WHERE last_seq >= 4")
    assert _kinds() == [(4, "truncated")]


def test_deleting_the_newest_events_then_sealing_new_ones_over_them_is_found():
    _sealed_events(3)
    tamper("DELETE FROM audit_events WHERE seq = 3")
    tamper("DELETE FROM audit_seals")
    _events(1, start=10)
    seal_audit_chain()  # the new event takes seq 3: its hash is not the one anchored
    db.session.commit()
    assert (3, "relinked") in _kinds()


def test_reordered_events_are_found():
    _sealed_events(4)
    tamper("UPDATE audit_events SET seq = -seq WHERE seq IN (2, 3)")
    tamper("UPDATE audit_events SET seq = 3 WHERE seq = -2")
    tamper("UPDATE audit_events SET seq = 2 WHERE seq = -3")
    kinds = _kinds()
    assert (2, "relinked") in kinds and (2, "edited") in kinds and (3, "edited") in kinds


def test_an_emptied_anchor_file_is_reported(app):
    _sealed_events(2)
    Path(app.config["AUDIT_ANCHOR_PATH"]).write_text("")
    assert _kinds() == [(0, "unanchored")]


def test_an_unreadable_anchor_line_is_reported(app):
    _sealed_events(2)
    with open(app.config["AUDIT_ANCHOR_PATH"], "a") as anchor:
        anchor.write("not a head\n")
    assert _kinds() == [(0, "unanchored")]


def test_each_seal_appends_its_head_after_commit(app):
    path = Path(app.config["AUDIT_ANCHOR_PATH"])
    _events(2)
    seal_audit_chain()
    assert not path.exists()  # not before the commit
    db.session.commit()
    _sealed_events(3)
    heads, problems = read_heads(path)
    assert problems == []
    assert [(h.seq, h.hash) for h in heads] == [(2, _sealed()[1].hash), (5, _sealed()[4].hash)]
    assert all(set(json.loads(line)) == {"seq", "hash", "sealed_at"} for line in path.read_text().splitlines())


def test_a_rolled_back_seal_anchors_nothing(app):
    _events(2)
    seal_audit_chain()
    db.session.rollback()
    assert not Path(app.config["AUDIT_ANCHOR_PATH"]).exists()
    assert verify_audit_chain().ok


@pytest.mark.parametrize("change", ["edit", "delete_newest", "reorder"])
def test_verify_audit_exits_non_zero(app, change):
    _sealed_events(4)
    if change == "edit":
        tamper("UPDATE audit_events SET action = 'x' WHERE seq = 1")
    elif change == "delete_newest":
        tamper("DELETE FROM audit_events WHERE seq = 4")
        tamper("DELETE FROM audit_seals")
    else:
        tamper("UPDATE audit_events SET seq = -seq WHERE seq IN (1, 2)")
        tamper("UPDATE audit_events SET seq = 2 WHERE seq = -1")
        tamper("UPDATE audit_events SET seq = 1 WHERE seq = -2")
    result = app.test_cli_runner().invoke(args=["bank", "verify-audit"])
    assert result.exit_code == 1, result.output
    assert "Audit trail BROKEN" in result.output


# ---- the key is a deployment's own ------------------------------------------------------------

def _config(**settings):
    return type("DeployedConfig", (config.Config,), {"SQLALCHEMY_DATABASE_URI": "sqlite://", **settings})


def test_a_deployment_without_an_audit_key_refuses_to_start():
    with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY"):
        create_app(_config(SECRET_KEY="a-real-secret", AUDIT_HMAC_KEY=None))


def test_a_deployment_with_its_audit_key_starts():
    app = create_app(_config(SECRET_KEY="a-real-secret", AUDIT_HMAC_KEY="its-own-key"))
    assert app.config["AUDIT_HMAC_KEY"] == "its-own-key"


def test_development_gets_a_fixed_key():
    app = create_app(_config(SECRET_KEY=config.DEVELOPMENT_SECRET_KEY, AUDIT_HMAC_KEY=None))
    assert app.config["AUDIT_HMAC_KEY"]


# ---- the guard (PostgreSQL) -------------------------------------------------------------------

@requires_postgres
@pytest.mark.parametrize("sql", ["UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events",
                                 "TRUNCATE audit_events", "UPDATE audit_seals SET last_hash = 'x'",
                                 "DELETE FROM audit_seals", "TRUNCATE audit_seals"])
def test_the_database_refuses_to_change_audit_rows(sql):
    _sealed_events(2)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(sql))
    db.session.rollback()
    assert verify_audit_chain().ok


@requires_postgres
def test_the_guard_refuses_to_change_an_unsealed_event_but_lets_it_be_sealed():
    _events(1)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("UPDATE audit_events SET action = 'forged', seq = 1"))
    db.session.rollback()
    assert seal_audit_chain() == 1
    db.session.commit()
    assert verify_audit_chain().ok


@requires_postgres
def test_anonymising_a_person_works_with_the_guard_and_keeps_the_trail_intact(world, api, factory):
    leaver = factory.doctor("ST3")
    db.session.commit()
    seal_audit_chain()
    db.session.commit()
    resp = api(world.admin).post(f"/api/v1/users/{leaver.id}/anonymise", json={"reason": "Left the trust"})
    assert resp.status_code == 200
    seal_audit_chain()
    db.session.commit()
    assert verify_audit_chain().ok
    assert db.session.execute(db.select(AuditEvent).filter_by(action="user.anonymised")).scalar_one()
    assert db.session.execute(db.select(db.func.count(AuditSeal.id))).scalar() == 2
