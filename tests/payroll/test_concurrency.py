"""Two payroll exports started at the same moment never share a timesheet (PostgreSQL, real threads)."""
import threading
from datetime import UTC, datetime

import pytest
import time_machine

from bankapp.auth.models import User
from bankapp.errors import Conflict
from bankapp.extensions import db
from bankapp.payroll import services
from bankapp.payroll.models import PayrollExport
from bankapp.timesheets.models import Timesheet
from tests.conftest import requires_postgres
from tests.timesheets.helpers import approve, make_card, submit, worked


@pytest.fixture
def many_approved(world):
    make_card(world)
    db.session.commit()
    with time_machine.travel(datetime(2026, 11, 2, 12, 0, tzinfo=UTC), tick=True):
        for day in range(1, 21):
            booking = worked(world, f"2026-10-{day:02d}T08:00", f"2026-10-{day:02d}T17:00")
            approve(submit(booking), world.approver_a)
    return world


def _export_in_thread(app, payroll_id, barrier, outcomes):
    with app.app_context():
        try:
            actor = db.session.get(User, payroll_id)
            barrier.wait()
            batch = services.create_export(actor=actor)
            db.session.commit()
            outcomes.append(("batch", batch.id))
        except Conflict as exc:
            db.session.rollback()
            outcomes.append(("conflict", exc.title))
        finally:
            db.session.remove()


@requires_postgres
@pytest.mark.parametrize("threads", [2, 4])
def test_simultaneous_exports_export_each_timesheet_exactly_once(app, many_approved, threads):
    payroll_id = many_approved.payroll.id
    db.session.commit()
    db.session.remove()
    barrier, outcomes = threading.Barrier(threads), []
    workers = [threading.Thread(target=_export_in_thread, args=(app, payroll_id, barrier, outcomes))
               for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert len(outcomes) == threads
    batches = db.session.execute(db.select(PayrollExport)).scalars().all()
    exported = db.session.execute(db.select(Timesheet.exported_batch_id)).scalars().all()
    assert all(batch_id is not None for batch_id in exported), "every approved timesheet is exported"
    assert sum(b.timesheet_count for b in batches) == 20 == len(exported)
    # No empty batch, and every batch's file lists exactly its own timesheets.
    for batch in batches:
        ids_in_file = {line.split(",")[5] for line in batch.esr_csv.split("\r\n")[1:] if line}
        mine = {str(ts_id) for ts_id in db.session.execute(
            db.select(Timesheet.id).where(Timesheet.exported_batch_id == batch.id)).scalars()}
        assert ids_in_file == mine and mine
    assert [kind for kind, _ in outcomes].count("batch") == len(batches)
