"""The audit hash chain: sealing, and verify-audit spotting edits and deletions."""
import threading

from sqlalchemy import text

from bankapp.audit.chain import seal_audit_chain, verify_audit_chain
from bankapp.audit.guard import MAINTENANCE_SETTING
from bankapp.audit.models import AuditEvent, AuditSeal
from bankapp.audit.rules import GENESIS_HASH, hash_of_row
from bankapp.audit.services import record_audit
from bankapp.extensions import db
from tests.conftest import requires_postgres

KEY = b"test-audit-key"


def tamper(sql, params=None):
    """Change audit rows behind the app's back, as a database owner could (lifting the guard on PostgreSQL)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL {MAINTENANCE_SETTING} = 'on'"))
    db.session.execute(text(sql), params or {})
    db.session.commit()


def _events(n, start=1):
    for i in range(start, start + n):
        record_audit("thing.changed", "thing", i, before={"n": i - 1}, after={"n": i, "items": [i, "x"]})
    db.session.commit()


def _sealed():
    return db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()


def test_sealing_links_every_event_in_id_order():
    _events(3)
    assert seal_audit_chain() == 3
    db.session.commit()
    rows = _sealed()
    assert [r.seq for r in rows] == [1, 2, 3]
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    assert rows[0].prev_hash == GENESIS_HASH
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash
    assert all(r.hash == hash_of_row(r, KEY) for r in rows)


def test_second_sealing_continues_the_chain_and_seals_nothing_twice():
    _events(2)
    seal_audit_chain()
    db.session.commit()
    _events(2, start=3)
    assert seal_audit_chain() == 2
    assert seal_audit_chain() == 0
    db.session.commit()
    rows = _sealed()
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert rows[2].prev_hash == rows[1].hash
    seals = db.session.execute(db.select(AuditSeal).order_by(AuditSeal.id)).scalars().all()
    assert [(s.first_seq, s.last_seq) for s in seals] == [(1, 2), (3, 4)]


def test_intact_chain_verifies():
    _events(5)
    seal_audit_chain()
    db.session.commit()
    report = verify_audit_chain()
    assert report.ok and report.count == 5 and report.head_seq == 5


def test_empty_chain_verifies():
    report = verify_audit_chain()
    assert report.ok and report.count == 0 and report.head_hash == GENESIS_HASH


def test_after_edited_with_raw_sql_is_detected():
    _events(4)
    seal_audit_chain()
    db.session.commit()
    target = _sealed()[2]
    tamper("UPDATE audit_events SET after = :v WHERE id = :id", {"v": '{"n": 999}', "id": target.id})
    report = verify_audit_chain()
    assert not report.ok
    assert report.first_broken_seq == 3
    assert [(p.seq, p.kind) for p in report.problems] == [(3, "edited")]


def test_edit_that_also_rewrites_the_hash_breaks_the_next_link():
    _events(4)
    seal_audit_chain()
    db.session.commit()
    target = _sealed()[1]
    tamper("UPDATE audit_events SET action = 'forged', hash = :h WHERE id = :id", {"h": "f" * 64, "id": target.id})
    kinds = {(p.seq, p.kind) for p in verify_audit_chain().problems}
    assert (2, "edited") in kinds and (3, "relinked") in kinds


def test_deleted_row_is_detected_as_a_gap():
    _events(5)
    seal_audit_chain()
    db.session.commit()
    tamper("DELETE FROM audit_events WHERE seq = 3")
    report = verify_audit_chain()
    assert report.first_broken_seq == 3
    assert [(p.seq, p.kind) for p in report.problems] == [(3, "deleted")]


def test_deleted_first_row_is_detected():
    _events(2)
    seal_audit_chain()
    db.session.commit()
    tamper("DELETE FROM audit_events WHERE seq = 1")
    assert [(p.seq, p.kind) for p in verify_audit_chain().problems] == [(1, "deleted")]


def test_deleting_the_newest_rows_is_detected_by_the_seal_record():
    _events(4)
    seal_audit_chain()
    db.session.commit()
    tamper("DELETE FROM audit_events WHERE seq >= 3")
    report = verify_audit_chain()
    assert [(p.seq, p.kind) for p in report.problems] == [(3, "truncated")]


def test_deletion_with_renumbering_is_detected():
    _events(4)
    seal_audit_chain()
    db.session.commit()
    tamper("DELETE FROM audit_events WHERE seq = 2")
    tamper("UPDATE audit_events SET seq = seq - 1 WHERE seq > 2")
    report = verify_audit_chain()
    assert not report.ok
    assert report.first_broken_seq == 2


def test_verify_command_exits_1_and_names_the_broken_seq(app):
    _events(3)
    seal_audit_chain()
    db.session.commit()
    tamper("UPDATE audit_events SET entity_id = 'x' WHERE seq = 2")
    result = app.test_cli_runner().invoke(args=["bank", "verify-audit"])
    assert result.exit_code == 1
    assert "first broken seq 2" in result.output
    assert "seq 2: edited" in result.output


def test_verify_command_seals_first_then_reports_intact(app):
    _events(3)
    result = app.test_cli_runner().invoke(args=["bank", "verify-audit"])
    assert result.exit_code == 0, result.output
    assert "intact: 3 event(s)" in result.output
    db.session.expire_all()
    assert all(r.seq is not None for r in _sealed())


def test_seal_command_reports_count(app):
    _events(2)
    result = app.test_cli_runner().invoke(args=["bank", "seal-audit"])
    assert result.exit_code == 0
    assert "Sealed 2 audit event(s)." in result.output


@requires_postgres
def test_two_concurrent_sealers_make_one_chain(app):
    _events(200)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def seal():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(seal_audit_chain())
                db.session.commit()
            except Exception as exc:  # reported below
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=seal) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sorted(results) == [0, 200]
    db.session.expire_all()
    assert [r.seq for r in _sealed()] == list(range(1, 201))
    assert verify_audit_chain().ok


def test_run_jobs_seals_the_audit_trail(app):
    _events(2)
    result = app.test_cli_runner().invoke(args=["bank", "run-jobs", "--job", "seal-audit"])
    assert result.exit_code == 0, result.output
    assert "sealed 2" in result.output
    db.session.expire_all()
    assert [r.seq for r in _sealed()] == [1, 2]
