"""Running the jobs of ``bankapp/jobs.py``: once each, or under APScheduler.

Only one scheduler may run jobs. On PostgreSQL the scheduler holds the
session-level advisory lock ``SCHEDULER_LOCK_KEY`` on a connection of its
own for as long as it runs; a second scheduler started by mistake finds the
lock taken, logs it and stands by, taking over if the first one stops.
SQLite deployments are single-server and skip the lock.
"""
import logging
import time as clock
from datetime import UTC

from sqlalchemy import text

from .extensions import db
from .jobs import JOBS, job_by_id, run_order
from .timeutil import clock_at, now_utc

log = logging.getLogger(__name__)

SCHEDULER_LOCK_KEY = 7_020_001  # any constant bigint; unique to the Staff Bank scheduler


class SchedulerLock:
    """pg_try_advisory_lock on a dedicated connection (always granted on SQLite)."""

    def __init__(self, engine, key=SCHEDULER_LOCK_KEY):
        self.engine = engine
        self.key = key
        self.connection = None

    @property
    def needed(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def acquire(self) -> bool:
        if not self.needed:
            return True
        conn = self.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
        conn.commit()  # the lock is the session's; no transaction stays open
        if got:
            self.connection = conn
            return True
        conn.close()
        return False

    def held(self) -> bool:
        """True while our lock connection is alive (the lock dies with it)."""
        if not self.needed:
            return True
        if self.connection is None:
            return False
        try:
            self.connection.execute(text("SELECT 1")).scalar()
            self.connection.commit()
            return True
        except Exception:  # the database dropped us, and the lock with us
            log.exception("scheduler lock connection lost")
            return False

    def release(self):
        if self.connection is None:
            return
        try:
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self.connection.commit()
        finally:
            self.connection.close()
            self.connection = None


def run_job(job_id: str, now=None):
    """Run one job at ``now`` in the current app context and commit; roll back and re-raise on error.

    The job is handed ``now`` and runs inside ``clock_at(now)``, so everything it
    does that reads the time (outbox ``send_after``, audit ``at``, row stamps)
    agrees with the clock it was given (``run-jobs --now``).
    """
    job = job_by_id(job_id)
    now = now or now_utc()
    started = clock.monotonic()
    try:
        with clock_at(now):
            result = job.resolve()(now=now)
            db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("job %s failed", job_id)
        raise
    log.info("job %s done in %.2fs: %s", job_id, clock.monotonic() - started, result)
    return result


def run_all_jobs(now=None) -> dict:
    """Every registered job once with the same clock; job id → result or the exception."""
    now = now or now_utc()
    results = {}
    for job in run_order():
        try:
            results[job.id] = run_job(job.id, now)
        except Exception as exc:  # one broken job must not stop the others
            results[job.id] = exc
    return results


def wait_for_lock(lock: SchedulerLock, *, poll_seconds=30, give_up_after=None) -> bool:
    """Block until ``lock`` is ours; False if ``give_up_after`` seconds pass first."""
    waited = 0.0
    while not lock.acquire():
        if waited == 0:
            log.warning("another scheduler holds the lock (key %s); this one stands by", lock.key)
        if give_up_after is not None and waited >= give_up_after:
            return False
        clock.sleep(poll_seconds)
        waited += poll_seconds
    log.info("scheduler lock taken; running jobs")
    return True


def run_if_leader(app, lock: SchedulerLock, job_id: str, on_lost=None) -> bool:
    """Run ``job_id`` only while this process holds the scheduler lock."""
    if not lock.held():
        log.error("scheduler lock lost; job %s not run, so that only one scheduler runs jobs", job_id)
        if on_lost:
            on_lost()
        return False
    with app.app_context():
        try:
            run_job(job_id)
        except Exception:  # logged in run_job; the scheduler keeps going
            pass
    return True


def build_scheduler(app, lock: SchedulerLock):
    """A BlockingScheduler with every job of the registry (UTC clock, one instance each, coalesced)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=UTC, job_defaults={"max_instances": 1, "coalesce": True,
                                                              "misfire_grace_time": 300})

    def stop():
        scheduler.shutdown(wait=False)

    for job in JOBS:
        scheduler.add_job(run_if_leader, job.trigger, args=[app, lock, job.id, stop], id=job.id,
                          name=job.description or job.id, replace_existing=True, max_instances=1, coalesce=True,
                          **job.trigger_args)
    return scheduler


def run_scheduler(app, *, poll_seconds=30):
    """The blocking scheduler process: take the lock, then run jobs until stopped."""
    with app.app_context():
        lock = SchedulerLock(db.engine)
    wait_for_lock(lock, poll_seconds=poll_seconds)
    scheduler = build_scheduler(app, lock)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")
    finally:
        lock.release()
