"""SQL aggregates behind the unfilled-shift forecast (the arithmetic is in ``forecast_rules``).

Both read the state as it was at ``as_of``: a shift counts once it was posted (``created_at``), and
a booking once it was made (``created_at``), so the same queries answer "now" and, for the
back-test, any moment of the past. Cancelled shifts are left out, as everywhere in the reports.
"""
from datetime import timedelta

from sqlalchemy import and_, case, func, or_, select

from ..shifts.models import Booking, Shift
from .db import reports_session
from .forecast_rules import LEAD_BANDS
from .queries import at_least_before, live_booking, london_date_expr, london_weekday_expr


def _not_booked_by(moment):
    """No live booking made by ``moment`` (a Python datetime or a column)."""
    return or_(Booking.id.is_(None), Booking.created_at > moment)


def _scoped(stmt, scope, site_id):
    if scope is not None:
        stmt = stmt.where(Shift.site_id.in_(scope))
    if site_id is not None:
        stmt = stmt.where(Shift.site_id == site_id)
    return stmt


def unfilled_history(*, since, until):
    """Per site, department and London weekday of the shifts that started in [since, until): for each lead
    band ``i``, ``open{i}`` shifts were still open the band's ``history_minutes`` before their start and
    ``unfilled{i}`` of them were never filled (no live booking made by ``until``).

    Always the whole trust: the trust's and the sites' shares are what a department's is blended with,
    so everyone who reads a site's forecast reads the same figures.
    """
    never_filled = _not_booked_by(until)
    columns = []
    for index, band in enumerate(LEAD_BANDS):
        lead = band.history_minutes
        open_then = and_(at_least_before(Shift.created_at, Shift.start_at, lead),
                         or_(Booking.id.is_(None), ~at_least_before(Booking.created_at, Shift.start_at, lead)))
        columns += [func.sum(case((open_then, 1), else_=0)).label(f"open{index}"),
                    func.sum(case((and_(open_then, never_filled), 1), else_=0)).label(f"unfilled{index}")]
    # Only a shift posted by the shortest lead and not booked by the longest can count in any band:
    # the rest (most shifts, booked well ahead) are left out before the sums.
    shortest, longest = min(b.history_minutes for b in LEAD_BANDS), max(b.history_minutes for b in LEAD_BANDS)
    may_count = and_(at_least_before(Shift.created_at, Shift.start_at, shortest),
                     or_(Booking.id.is_(None), ~at_least_before(Booking.created_at, Shift.start_at, longest)))
    weekday = london_weekday_expr(Shift.start_at, since, until).label("weekday")
    stmt = (select(Shift.site_id, Shift.department_id, weekday, *columns)
            .select_from(Shift).outerjoin(Booking, live_booking())
            .where(Shift.status != "cancelled", Shift.start_at >= since, Shift.start_at < until, may_count)
            .group_by(Shift.site_id, Shift.department_id, weekday))
    return reports_session().execute(stmt).mappings().all()


def coming_shifts(*, as_of, until, scope=None, site_id=None):
    """Shifts posted by ``as_of`` that start after it and before ``until``, per site, department, London date
    and lead band: ``posted``, ``open`` (no live booking made by ``as_of``) and ``unfilled`` (no live booking
    at all: the outcome, once the shifts have started — what the back-test compares with)."""
    band = case(*((Shift.start_at < as_of + timedelta(minutes=b.below_minutes), index)
                  for index, b in enumerate(LEAD_BANDS) if b.below_minutes is not None),
                else_=len(LEAD_BANDS) - 1).label("band")
    day = london_date_expr(Shift.start_at, as_of, until).label("day")
    stmt = (select(Shift.site_id, Shift.department_id, day, band, func.count(Shift.id).label("posted"),
                   func.sum(case((_not_booked_by(as_of), 1), else_=0)).label("open"),
                   func.sum(case((Booking.id.is_(None), 1), else_=0)).label("unfilled"))
            .select_from(Shift).outerjoin(Booking, live_booking())
            .where(Shift.status != "cancelled", Shift.start_at > as_of, Shift.start_at < until,
                   Shift.created_at <= as_of)
            .group_by(Shift.site_id, Shift.department_id, day, band))
    return reports_session().execute(_scoped(stmt, scope, site_id)).mappings().all()

