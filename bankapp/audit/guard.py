"""The database refuses to change audit rows (PostgreSQL).

A trigger on ``audit_events`` refuses every UPDATE and DELETE, and a
statement trigger every TRUNCATE, with one exception the chain needs: an
unsealed event (``seq`` NULL) may be given its place in the chain (``seq``,
``prev_hash``, ``hash``) as long as nothing else about it changes.
``audit_seals`` is guarded the same way. The application never changes or
deletes audit rows; anonymisation (``dataprotection``) leaves them as they are.

A database owner can lift the guard for one transaction only, by name:
``SET LOCAL bank.audit_maintenance = 'on'`` (the migration that re-seals the
chain, the tests' cleaning between tests). Whatever is changed that way is
still caught by ``verify-audit``: the hashes are keyed with a key the
database does not hold, and every seal's head is also written outside it.

Installed by the migration, and by ``create_all`` (tests) through the
``after_create`` events below. SQLite has no such guard; it is a development
database.
"""
from sqlalchemy import DDL, event

MAINTENANCE_SETTING = "bank.audit_maintenance"

_GUARD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION bank_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{MAINTENANCE_SETTING}', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_TABLE_NAME = 'audit_events' AND TG_OP = 'UPDATE' THEN  -- nested: PL/pgSQL does not short-circuit
        IF OLD.seq IS NULL
           AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
           AND NEW.action = OLD.action AND NEW.entity_type = OLD.entity_type AND NEW.entity_id = OLD.entity_id
           AND NEW.before::text IS NOT DISTINCT FROM OLD.before::text
           AND NEW.after::text IS NOT DISTINCT FROM OLD.after::text THEN
            RETURN NEW;  -- sealing: an unsealed event takes its place in the chain, nothing else changes
        END IF;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = 'the audit trail is append-only: ' || TG_OP || ' on ' || TG_TABLE_NAME || ' refused';
END
$$
"""


def _triggers(table):
    return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION bank_audit_append_only()",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bank_audit_append_only()"]


GUARDED_TABLES = ("audit_events", "audit_seals")
INSTALL = [_GUARD_FUNCTION, *(sql for table in GUARDED_TABLES for sql in _triggers(table))]
REMOVE = [*(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}" for table in GUARDED_TABLES
            for name in ("append_only", "no_truncate")),
          "DROP FUNCTION IF EXISTS bank_audit_append_only()"]


def install_on_create(table) -> None:
    """Install the guard whenever ``table`` is created on PostgreSQL (``create_all``)."""
    statements = [_GUARD_FUNCTION, *_triggers(table.name)]
    for sql in statements:
        event.listen(table, "after_create", DDL(sql).execute_if(dialect="postgresql"))
