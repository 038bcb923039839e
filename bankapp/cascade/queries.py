"""Read-only statements for the cascade lists, scoped to what the actor may see."""
from datetime import timedelta

from sqlalchemy import false, or_

from ..auth.permissions import sites_in_scope
from ..extensions import db
from ..shifts.models import Shift
from ..timeutil import now_utc
from . import rules
from .models import AgencyNotice, AgencyOffer, CascadeRequest

REQUEST_READERS = ("approver", "coordinator", "executive", "chief_executive", "admin")
# How long after its end a released shift no agency filled stays on the coordinator's agency cover list.
RELEASED_LISTED_AFTER_END = timedelta(days=7)


def coordinated(stmt, actor):
    """``stmt`` (over shifts) limited to the sites the actor coordinates."""
    scope = sites_in_scope(actor, "coordinator")
    return stmt if scope is None else stmt.where(Shift.site_id.in_(scope) if scope else false())


def released_shifts_for(actor, *, now=None) -> list[Shift]:
    """Shifts of the actor's sites released to agencies, until a week after they end.

    An offer made before the start may still be accepted for the locum who
    worked it; older releases no agency filled are counted as unfilled in the
    reports, and would otherwise pile up on the list all year.
    """
    stmt = db.select(Shift).where(Shift.status.in_(rules.RELEASED_STATUSES),
                                  Shift.end_at > (now or now_utc()) - RELEASED_LISTED_AFTER_END)
    return db.session.execute(coordinated(stmt, actor).order_by(Shift.start_at)).unique().scalars().all()


def open_shifts_for(actor, *, limit=50, now=None) -> list[Shift]:
    """Open shifts of the actor's sites that have not started, soonest first."""
    stmt = db.select(Shift).where(Shift.status == "open", Shift.start_at > (now or now_utc()))
    return db.session.execute(coordinated(stmt, actor).order_by(Shift.start_at).limit(limit)).unique().scalars().all()


def cascade_requests_for(actor, *, status=None):
    """Requests of the sites the actor approves or coordinates (every site for leadership)."""
    stmt = db.select(CascadeRequest).join(Shift, Shift.id == CascadeRequest.shift_id)
    scope = sites_in_scope(actor, *REQUEST_READERS)
    if scope is not None:
        stmt = stmt.where(Shift.site_id.in_(scope) if scope else false())
    if status:
        stmt = stmt.where(CascadeRequest.status == status)
    return stmt


def offers_for(actor, *, shift_id=None, status=None):
    """An agency sees its own offers, a coordinator those of its sites, leadership all."""
    stmt = db.select(AgencyOffer).join(Shift, Shift.id == AgencyOffer.shift_id)
    if sites_in_scope(actor, "executive", "chief_executive", "admin") is not None:
        seen = []
        if actor.has_role("agency") and actor.agency_id:
            seen.append(AgencyOffer.agency_id == actor.agency_id)
        sites = sites_in_scope(actor, "coordinator")
        if sites:
            seen.append(Shift.site_id.in_(sites))
        stmt = stmt.where(or_(*seen) if seen else false())
    if shift_id is not None:
        stmt = stmt.where(AgencyOffer.shift_id == shift_id)
    if status:
        stmt = stmt.where(AgencyOffer.status == status)
    return stmt


def notices_for(agency_id, *, limit=20):
    return db.session.execute(db.select(AgencyNotice).filter_by(agency_id=agency_id)
                              .order_by(AgencyNotice.id.desc()).limit(limit)).scalars().all()


def pending_break_glass_count() -> int:
    return db.session.execute(db.select(db.func.count(AgencyOffer.id))
                              .filter_by(status="pending_executive_approval")).scalar_one()
