"""Scheduled work of the marketplace."""
import logging

from ..audit.services import record_audit
from ..extensions import db
from ..timeutil import now_utc
from .models import Booking, Shift

log = logging.getLogger(__name__)


def complete_worked_shifts(now=None) -> dict:
    """Booked shifts whose end has passed become ``completed`` (and their live
    booking too). Set-based, idempotent: a second run finds nothing to do."""
    now = now or now_utc()
    ids = db.session.execute(
        db.select(Shift.id).where(Shift.status == "booked", Shift.end_at <= now).with_for_update(skip_locked=True)
    ).scalars().all()
    if not ids:
        return {"completed": 0}
    db.session.execute(db.update(Booking).where(Booking.shift_id.in_(ids), Booking.status == "booked")
                       .values(status="completed").execution_options(synchronize_session=False))
    db.session.execute(db.update(Shift).where(Shift.id.in_(ids), Shift.status == "booked")
                       .values(status="completed", updated_at=now).execution_options(synchronize_session=False))
    for shift_id in ids:
        record_audit("shift.completed", "shift", shift_id, before={"status": "booked"}, after={"status": "completed"})
    log.info("marked %d worked shifts completed", len(ids))
    return {"completed": len(ids)}
