"""Alert fan-out: one new shift that suits every doctor (most junior grade, beyond every booking),
announced with the real ``shift.opened`` event; time to write the outbox rows. Rolled back afterwards.
"""
import logging
import time
from datetime import datetime, timedelta
from datetime import time as clock

from bankapp.timeutil import LONDON, london_date, now_utc

log = logging.getLogger(__name__)


def warm_up(at):
    """Load what a long-running worker already holds: the bank-holiday tables (about 1.5 s to import once)."""
    from bankapp.timeutil import is_bank_holiday

    is_bank_holiday(london_date(at))
    is_bank_holiday(london_date(now_utc()))


def run(app, *, days_ahead=70, profile=None) -> dict:
    from bankapp.auth.models import User
    from bankapp.events import emit
    from bankapp.extensions import db
    from bankapp.notifications.models import OutboxMessage
    from bankapp.org.models import Department, Grade
    from bankapp.shifts.models import Shift

    with app.app_context():
        grade = db.session.execute(db.select(Grade).order_by(Grade.rank).limit(1)).scalar_one()
        department = db.session.execute(db.select(Department).order_by(Department.id).limit(1)).scalar_one()
        poster = db.session.execute(db.select(User).where(User.email.like("rota.%")).order_by(User.id)
                                    .limit(1)).scalar_one()
        doctors = db.session.execute(db.text("SELECT count(*) FROM user_roles WHERE role = 'doctor'")).scalar_one()
        start = datetime.combine(london_date(now_utc()) + timedelta(days=days_ahead), clock(8), tzinfo=LONDON)
        shift = Shift(site_id=department.site_id, department_id=department.id, grade_id=grade.id, start_at=start,
                      end_at=start + timedelta(hours=12), status="open", posted_by_id=poster.id)
        db.session.add(shift)
        db.session.flush()
        warm_up(shift.start_at)
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        started = time.perf_counter()
        try:
            emit("shift.opened", shift=shift, actor=poster)
            db.session.flush()
            seconds = time.perf_counter() - started
            written = db.session.execute(db.select(db.func.count(OutboxMessage.id))
                                         .where(OutboxMessage.dedupe_key.like(f"shift-alert:{shift.id}:%"))
                                         ).scalar_one()
        finally:
            if profiler:
                profiler.stop()
                profiler.write_html(profile)
            db.session.rollback()
    log.info("fan-out: %s texts queued for %s doctors in %.2fs", written, doctors, seconds)
    return {"doctors": doctors, "written": written, "seconds": seconds}
