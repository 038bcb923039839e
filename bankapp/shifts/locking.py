"""Row locks around a shift's changes, and the one order they are taken in.

**Lock order: the doctor's user row first, then the shift's row**, always,
briefly, in the transaction that changes them:

* a booking (claim, assignment, agency booking) or the cancellation of a
  booking locks the doctor (if any), then the shift;
* every other change of a shift (cancel, re-open, release, rate decisions)
  locks the shift alone.

Two claims of one shift queue on the shift lock (the second sees it booked →
409); two claims by one doctor queue on the doctor lock (the second sees the
first booking → ``overlap``). The partial unique index
``uq_bookings_one_live_per_shift`` is the last line of defence. PostgreSQL
takes row locks (``FOR UPDATE``); SQLite ignores them, so ``lock_doctor``
takes the database's write lock with a no-op UPDATE, which serialises every
writer behind it.
"""
from functools import cache

from sqlalchemy import bindparam, true

from ..auth.models import User
from ..errors import NotFound
from ..extensions import db
from .models import Shift


def lock_doctor(doctor_id) -> int:
    """Lock the doctor's user row (first lock of every booking transaction); returns the id.

    PostgreSQL: ``SELECT id … FOR UPDATE``: the id only, so nothing of the
    user (roles, sites, profile) is reloaded while the lock is held; the claim
    checks read the doctor's bookings fresh after the lock, which is what the
    lock protects.
    """
    if db.engine.dialect.name == "sqlite":
        found = db.session.execute(db.update(User).where(User.id == doctor_id).values(id=User.id)
                                   .execution_options(synchronize_session=False)).rowcount
    else:
        found = db.session.execute(db.select(User.id).where(User.id == doctor_id).with_for_update()).scalar()
    if not found:
        raise NotFound("No such doctor.")
    return doctor_id


def lock_shift(shift_id) -> Shift:
    """The shift, freshly read and locked until the transaction ends; NotFound if there is none."""
    shift = db.session.execute(db.select(Shift).where(Shift.id == shift_id).with_for_update(of=Shift)
                               .execution_options(populate_existing=True)).unique().scalar_one_or_none()
    if shift is None:
        raise NotFound("No such shift.")
    return shift


def lock_for_booking(doctor_id, shift_id):
    """Lock the doctor's row, then the shift's, in one statement; the shift's ``(status, start_at)`` as locked.

    PostgreSQL: the doctor's ``FOR UPDATE`` is a sub-select joined to the
    shift's row, and the shift's own row lock is taken above that join, so the
    doctor is always locked first. Only two columns come back: a lost claim
    (409) needs nothing more, and a winning one loads the shift afterwards
    (``locked_shift``). SQLite: ``lock_doctor`` takes the write lock first,
    then a plain read.
    """
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        lock_doctor(doctor_id)
    row = db.session.execute(_lock_statement(dialect), {"doctor_id": doctor_id, "shift_id": shift_id}).first()
    if row is None:
        raise NotFound("No such shift.")
    return row


@cache
def _lock_statement(dialect: str):
    """``lock_for_booking``'s statement, built once: building it cost more Python than running it."""
    stmt = db.select(Shift.status, Shift.start_at).where(Shift.id == bindparam("shift_id"))
    if dialect == "sqlite":
        return stmt
    doctor = (db.select(User.id).where(User.id == bindparam("doctor_id")).with_for_update()
              .subquery("locked_doctor"))
    return stmt.join(doctor, true()).with_for_update(of=Shift)


def locked_shift(shift_id) -> Shift:
    """The shift row this transaction has locked (``lock_for_booking``), as an ORM object fresh from the database."""
    return db.session.get(Shift, shift_id, populate_existing=True)
