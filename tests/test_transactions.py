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


# --- the request edge: TransactionalFlask commits or rolls back once, after the view ---------------------------


@pytest.fixture
def view(app, monkeypatch):
    """``view(fn)``: GET / (a page) and GET /api/v1/grades (the API, signed in) answer with ``fn`` instead."""

    def install(fn):
        monkeypatch.setitem(app.view_functions, "home.index", fn)
        monkeypatch.setitem(app.view_functions, "org_api.list_grades", fn)

    return install


def add_site(code):
    db.session.add(Site(code=code, name=f"Site {code}"))
    db.session.flush()


def test_a_page_that_answers_an_error_keeps_nothing_it_wrote(client, view):
    def wrote_then_refused():
        add_site("ZA")
        return "refused", 422

    view(wrote_then_refused)
    assert client.get("/").status_code == 422
    assert site_codes() == []


def test_a_successful_answer_is_committed_without_the_view_committing(client, view):
    def wrote():
        add_site("ZB")
        return "done", 201

    view(wrote)
    assert client.get("/").status_code == 201
    db.session.remove()
    assert site_codes() == ["ZB"]


def test_keep_on_error_commits_a_counted_attempt_that_answers_an_error(client, view):
    from bankapp.transactions import keep_on_error

    def counted():
        add_site("ZC")
        keep_on_error()
        return "wrong code", 422

    view(counted)
    assert client.get("/").status_code == 422
    assert site_codes() == ["ZC"]


def test_a_domain_error_after_a_write_answers_problem_details_and_keeps_nothing(client, world, api, view):
    from bankapp.errors import Conflict

    def wrote_then_raised():
        add_site("ZD")
        raise Conflict("Someone else got there first.")

    view(wrote_then_raised)
    resp = api(world.admin).get("/api/v1/grades")
    assert resp.status_code == 409 and resp.mimetype == "application/problem+json"
    assert resp.get_json()["detail"] == "Someone else got there first."
    assert "ZD" not in site_codes()


def test_a_commit_that_fails_answers_problem_details_not_a_500(client, world, api, view):
    def duplicate_codes_left_for_the_commit():
        db.session.add_all([Site(code="ZE", name="One"), Site(code="ZE", name="Two")])
        return {"items": [], "next": None}

    view(duplicate_codes_left_for_the_commit)
    resp = api(world.admin).get("/api/v1/grades")
    assert resp.status_code == 409 and resp.get_json()["title"] == "Conflict"
    assert "ZE" not in site_codes()


def test_a_database_error_answers_503_even_when_the_first_rollback_fails_too(client, world, api, view):
    from sqlalchemy.exc import OperationalError

    admin = api(world.admin)
    lost = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    def connection_lost():
        add_site("ZF")
        session = db.session()
        real_rollback = session.rollback

        def rollback_fails_once():
            session.rollback = real_rollback
            raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))

        session.rollback = rollback_fails_once
        raise lost

    view(connection_lost)
    resp = admin.get("/api/v1/grades")
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    assert resp.headers["Retry-After"] == "5"
    assert "Nothing was saved" in resp.get_json()["detail"]
    db.session.remove()
    assert "ZF" not in site_codes()


@requires_postgres
def test_a_connection_killed_mid_request_answers_503_problem_details(app, client, world, api, view):
    """The server ends the request's connection (as a failover or restart would) between two statements."""
    admin = api(world.admin)

    def killed():
        add_site("ZK")
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        db.session.execute(text("SELECT 1"))
        return {"items": [], "next": None}

    view(killed)
    resp = admin.get("/api/v1/grades")
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    db.session.remove()
    assert "ZK" not in site_codes()
    assert admin.get("/api/v1/sites").status_code == 200  # the pool recovers for the next request


def test_attempt_undoes_only_the_refused_service_and_the_redirect_keeps_the_rest(client, view):
    from flask import redirect

    from bankapp.errors import Conflict
    from bankapp.transactions import attempt

    def page():
        add_site("ZG")
        try:
            with attempt():
                add_site("ZH")
                raise Conflict("refused")
        except Conflict:
            pass
        return redirect("/elsewhere")

    view(page)
    assert client.get("/").status_code == 302
    db.session.remove()
    assert site_codes() == ["ZG"]


def test_a_transactional_command_commits_on_return_and_rolls_back_on_error(app):
    from bankapp.transactions import transactional

    @transactional
    def good():
        add_site("ZI")

    @transactional
    def bad():
        add_site("ZJ")
        raise RuntimeError("half-way")

    good()
    with pytest.raises(RuntimeError):
        bad()
    db.session.remove()
    assert site_codes() == ["ZI"]
