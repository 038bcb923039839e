"""Payroll export: every approved, not yet exported timesheet (10,000 in the generated year) into one
batch and its ESR CSV, through the real service, in one transaction that is rolled back afterwards so the
benchmark can run again on the same data.
"""
import logging
import time

log = logging.getLogger(__name__)


def run(app, *, profile=None) -> dict:
    from bankapp.auth.models import User, UserRole
    from bankapp.extensions import db
    from bankapp.payroll import services

    with app.app_context():
        payroll = db.session.execute(db.select(User).join(UserRole).where(UserRole.role == "payroll")
                                     .limit(1)).scalar_one()
        from bankapp.timeutil import now_utc

        from .fanout_bench import warm_up

        warm_up(now_utc())
        profiler = _profiler(profile)
        started = time.perf_counter()
        try:
            batch = services.create_export(actor=payroll)
            body = services.export_csv(batch)
            seconds = time.perf_counter() - started
            count = batch.timesheet_count
        finally:
            if profiler:
                profiler.stop()
                profiler.write_html(profile)
            db.session.rollback()
    log.info("export: %s timesheets, %s bytes of CSV in %.2fs", count, len(body), seconds)
    return {"timesheets": count, "bytes": len(body), "seconds": seconds}


def _profiler(path):
    if not path:
        return None
    from pyinstrument import Profiler

    profiler = Profiler()
    profiler.start()
    return profiler



