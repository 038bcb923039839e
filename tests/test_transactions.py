"""How a request's transaction ends (bankapp/transactions.py): COMMIT when it wrote nothing, ROLLBACK otherwise.

Each case runs in its own app context, as a real request or job has one;
popping it runs the teardown under test.
"""
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from bankapp.extensions import db
from bankapp.org.models import Site

from .conftest import requires_postgres


@contextmanager
def endings():
    """The COMMITs and ROLLBACKs the engine sends inside the block, in order."""
    seen = []

    def on(name):
        return lambda conn: seen.append(name)

    commit, rollback = on("commit"), on("rollback")
    event.listen(db.engine, "commit", commit)
    event.listen(db.engine, "rollback", rollback)
    try:
        yield seen
    finally:
        event.remove(db.engine, "commit", commit)
        event.remove(db.engine, "rollback", rollback)


@contextmanager
def fresh_context(app, error=None):
    ctx = app.app_context()
    ctx.push()
    try:
        yield
    finally:
        ctx.pop(error)


def site_codes():
    return sorted(db.session.execute(db.select(Site.code)).scalars())


def test_a_read_only_transaction_ends_with_commit(app):
    with endings() as seen, fresh_context(app):
        site_codes()
    assert seen == ["commit"]


def test_select_for_update_is_a_read(app):
    with endings() as seen, fresh_context(app):
        db.session.execute(db.select(Site.id).with_for_update()).all()
    assert seen == ["commit"]


def test_an_uncommitted_flush_is_rolled_back(app):
    with endings() as seen, fresh_context(app):
        db.session.add(Site(code="ZZ", name="Left open"))
        db.session.flush()
    assert seen == ["rollback"]
    assert site_codes() == []


def test_pending_changes_never_flushed_are_not_committed(app):
    with endings() as seen, fresh_context(app):
        site_codes()
        db.session.add(Site(code="ZZ", name="Never flushed"))
    assert "commit" not in seen
    assert site_codes() == []


def test_a_core_update_left_open_is_rolled_back(app, factory):
    factory.site("AA")
    db.session.commit()
    with endings() as seen, fresh_context(app):
        db.session.execute(db.update(Site).values(name="Changed"))
    assert seen == ["rollback"]
    assert db.session.execute(db.select(Site.name)).scalar() != "Changed"


def test_a_failed_request_is_rolled_back_even_if_it_only_read(app):
    with endings() as seen, fresh_context(app, error=RuntimeError("boom")):
        site_codes()
    assert seen == ["rollback"]


def test_what_a_view_committed_stays_committed_and_nothing_more_is_sent(app):
    with endings() as seen, fresh_context(app):
        db.session.add(Site(code="YY", name="Committed"))
        db.session.commit()
    assert seen == ["commit"]
    assert site_codes() == ["YY"]


@requires_postgres
def test_postgresql_keeps_prepared_statements_across_read_only_requests(app):
    """psycopg prepares a statement on its sixth run on one connection, and forgets them all on ROLLBACK."""
    marker = "SELECT 'prepared-statement-probe' AS probe, count(*) FROM sites"
    prepared = 0
    for _ in range(40):  # the pool hands out a few connections in turn
        with fresh_context(app):
            db.session.execute(text(marker)).all()
            prepared = db.session.execute(text(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%prepared-statement-probe%'"
                " AND statement NOT LIKE '%pg_prepared_statements%'")).scalar()
        if prepared:
            break
    assert prepared == 1


@pytest.mark.parametrize("method, path, status", [("get", "/api/v1/grades", 200),
                                                  ("post", "/api/v1/shifts/999999/claim", 404)])
def test_token_use_is_written_with_a_successful_answer_only(app, world, api, method, path, status):
    from bankapp.auth.models import ApiToken

    doctor = api(world.doctor)
    with fresh_context(app):
        assert getattr(doctor, method)(path).status_code == status
    db.session.expire_all()
    used = db.session.execute(db.select(ApiToken.last_used_at)).scalar()
    assert (used is not None) is (status < 400)
