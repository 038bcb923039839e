"""The job registry, `bank run-jobs` and the one-scheduler lock."""
import re
from datetime import date

import pytest

from bankapp.extensions import db
from bankapp.jobrunner import SchedulerLock, build_scheduler, run_if_leader, wait_for_lock
from bankapp.jobs import JOBS, run_order
from bankapp.notifications.models import OutboxMessage
from bankapp.staff.models import ComplianceDocument
from tests.conftest import requires_postgres
from tests.factories import make_booking, make_shift


def test_every_job_has_a_stable_unique_id_and_resolves():
    ids = [job.id for job in JOBS]
    assert len(ids) == len(set(ids))
    for job in JOBS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", job.id)
        assert callable(job.resolve())
        assert job.trigger in ("interval", "cron")


def test_run_order_sends_texts_last():
    assert run_order()[-1].id == "sms-sender"
    assert sorted(j.id for j in run_order()) == sorted(j.id for j in JOBS)


def test_scheduler_has_every_job_once_with_one_instance_and_coalescing(app):
    scheduler = build_scheduler(app, SchedulerLock(db.engine))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {job.id for job in JOBS}
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())


@pytest.fixture
def due_work(world, factory):
    """A booking for tomorrow night and a DBS check running out: texts due at 18:30 on 2 Dec 2026."""
    doctor = factory.doctor("ST3", sms_opt_in=True)
    shift = make_shift(department=world.dept_a, grade=world.grades["ST3"], start="2026-12-03T20:00",
                       end="2026-12-04T08:00", posted_by=world.coordinator_a)
    make_booking(shift, doctor)
    dbs = db.session.execute(db.select(ComplianceDocument).filter_by(user_id=doctor.id, kind="dbs")).scalar_one()
    dbs.expires_on = date(2026, 12, 20)
    db.session.commit()
    return doctor


def outbox():
    db.session.expire_all()
    return sorted((m.dedupe_key, m.status) for m in db.session.execute(db.select(OutboxMessage)).scalars())


def test_run_jobs_twice_with_the_same_clock_is_idempotent(app, due_work):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["bank", "run-jobs", "--now", "2026-12-02T18:30"])
    assert first.exit_code == 0, first.output
    assert "shift-reminders" in first.output and "Running jobs at 2026-12-02T18:30:00+00:00" in first.output
    after_first = outbox()
    assert [key.split(":")[0] for key, _ in after_first] == ["doc-expiry", "reminder"]
    assert {status for _, status in after_first} == {"sent"}
    second = runner.invoke(args=["bank", "run-jobs", "--now", "2026-12-02T18:30"])
    assert second.exit_code == 0, second.output
    assert outbox() == after_first


def test_run_jobs_refuses_a_bad_clock_or_job(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bank", "run-jobs", "--now", "2026-03-29T01:30"])
    assert result.exit_code == 2 and "does not exist in London" in result.output
    result = runner.invoke(args=["bank", "run-jobs", "--job", "no-such-job"])
    assert result.exit_code == 2 and "unknown job id" in result.output


def test_run_jobs_can_run_one_job(app, due_work):
    result = app.test_cli_runner().invoke(args=["bank", "run-jobs", "--now", "2026-12-02T18:30",
                                                "--job", "shift-reminders"])
    assert result.exit_code == 0, result.output
    assert outbox() == [(outbox()[0][0], "queued")]


def test_sqlite_needs_no_lock(app):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("SQLite behaviour")
    lock = SchedulerLock(db.engine)
    assert lock.acquire() and lock.held()


@requires_postgres
def test_advisory_lock_lets_only_one_scheduler_run_jobs(app, world, factory):
    first, second = SchedulerLock(db.engine), SchedulerLock(db.engine)
    assert first.acquire()
    try:
        assert not second.acquire()
        assert wait_for_lock(second, poll_seconds=0.01, give_up_after=0.05) is False
        doctor = factory.doctor("ST3", sms_opt_in=True)
        db.session.add(OutboxMessage(to=doctor.mobile, user_id=doctor.id, body="x", kind="test"))
        db.session.commit()
        assert run_if_leader(app, second, "sms-sender") is False
        assert outbox() == [(None, "queued")]
        assert run_if_leader(app, first, "sms-sender") is True
        assert outbox() == [(None, "sent")]
    finally:
        first.release()
    assert second.acquire()  # the stand-by takes over when the first stops
    second.release()
