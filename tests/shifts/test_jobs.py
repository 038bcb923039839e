from bankapp.audit.models import AuditEvent
from bankapp.extensions import db
from bankapp.shifts.jobs import complete_worked_shifts
from tests.factories import london, make_booking, make_shift


def _shift(world, start, end, status="open"):
    return make_shift(department=world.dept_a, grade=world.grades["ST3"], start=start, end=end,
                      posted_by=world.coordinator_a, status=status)


def test_worked_shifts_become_completed_once(world):
    worked = _shift(world, "2026-11-02T08:00", "2026-11-02T17:00")
    booking = make_booking(worked, world.doctor)
    future = _shift(world, "2026-11-30T08:00", "2026-11-30T17:00")
    future_booking = make_booking(future, world.doctor)
    unfilled = _shift(world, "2026-11-02T08:00", "2026-11-02T17:00")
    db.session.commit()

    assert complete_worked_shifts(london("2026-11-02T17:00")) == {"completed": 1}
    db.session.commit()
    assert (worked.status, booking.status) == ("completed", "completed")
    assert (future.status, future_booking.status) == ("booked", "booked")
    assert unfilled.status == "open"
    assert db.session.execute(db.select(AuditEvent).filter_by(action="shift.completed")).scalar_one().entity_id \
        == str(worked.id)
    assert complete_worked_shifts(london("2026-11-02T18:00")) == {"completed": 0}


def test_a_shift_still_running_is_not_completed(world):
    running = _shift(world, "2026-11-02T08:00", "2026-11-02T17:00")
    make_booking(running, world.doctor)
    db.session.commit()
    assert complete_worked_shifts(london("2026-11-02T16:59")) == {"completed": 0}
    assert running.status == "booked"
