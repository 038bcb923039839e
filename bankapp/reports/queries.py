"""SQL aggregates behind the reports: GROUP BY in the database, never loops over rows.

Dates and weeks are London dates. PostgreSQL converts with
``timezone('Europe/London', …)``; SQLite has no time zones, so the stored UTC
is shifted by an hour inside the British Summer Time spans of the period
(``timeutil.summer_time_spans``) before ``date()`` — both give the same London date.

A shift counts by its current state: posted unless cancelled, filled when it
has a live (not cancelled) booking — at most one, by the partial unique index —
bank or agency by the booking's source. So a shift cancelled and re-opened, or
re-booked after a cancelled booking, counts once.

Every statement runs on ``reports_session()`` (``reports/db.py``): a read-only
replica when ``REPORTS_DATABASE_URL`` is set, the primary otherwise.
"""
import logging
from datetime import datetime

from sqlalchemy import (
    Integer,
    Text,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import aliased

from ..audit.models import Breach
from ..auth.models import User
from ..cascade.models import AgencyOffer, CascadeRequest
from ..org.models import Department, Grade, Site
from ..rates.models import RateViolation
from ..shifts.models import Booking, Shift
from ..timesheets.models import PayLine, Timesheet
from ..timeutil import summer_time_spans
from .db import reports_engine, reports_session

log = logging.getLogger(__name__)

DELIVERED_SHIFT_STATUSES = ("completed",)
UNFILLED_STATUSES = ("pending_rate_approval", "open", "released_tier1", "released_tier2")


def _is_postgres() -> bool:
    return reports_engine().dialect.name == "postgresql"


def _london_wall(col, lo: datetime, hi: datetime):
    """London wall-clock timestamp of a UTC column (SQL expression)."""
    if _is_postgres():
        return func.timezone(literal_column("'Europe/London'"), col)
    spans = summer_time_spans(lo.year - 1, hi.year + 1)
    in_summer = or_(*(and_(col >= start, col < end) for start, end in spans))
    return case((in_summer, func.datetime(col, literal_column("'+1 hour'"))), else_=func.datetime(col))


def week_monday_expr(col, lo, hi):
    """The Monday (a date) of the London week of a UTC column."""
    wall = _london_wall(col, lo, hi)
    if _is_postgres():
        return func.date(func.date_trunc(literal_column("'week'"), wall))
    return func.date(wall, literal_column("'weekday 0'"), literal_column("'-6 days'"))


def shift_minutes_expr():
    """Whole elapsed minutes of a shift (end − start), on both engines."""
    if _is_postgres():
        return cast(extract("epoch", Shift.end_at - Shift.start_at) / 60, Integer)
    return cast(func.round((func.julianday(Shift.end_at) - func.julianday(Shift.start_at)) * 1440), Integer)


def _live_booking():
    return and_(Booking.shift_id == Shift.id, Booking.status != "cancelled")


def _shift_filters(stmt, *, lo, hi, scope, site_id, department_id=None):
    stmt = stmt.where(Shift.status != "cancelled", Shift.start_at >= lo, Shift.start_at < hi)
    if scope is not None:
        stmt = stmt.where(Shift.site_id.in_(scope))
    if site_id is not None:
        stmt = stmt.where(Shift.site_id == site_id)
    if department_id is not None:
        stmt = stmt.where(Shift.department_id == department_id)
    return stmt


def _grouping(name, lo, hi):
    """(key expression, label expressions, function adding the joins the labels need)."""
    if name == "site":
        return Shift.site_id, [Site.name], lambda s: s.join(Site, Site.id == Shift.site_id)
    if name == "department":
        dept_site = aliased(Site)
        return (Shift.department_id, [Department.name, dept_site.name],
                lambda s: s.join(Department, Department.id == Shift.department_id)
                .join(dept_site, dept_site.id == Department.site_id))
    if name == "grade":
        return Shift.grade_id, [Grade.name], lambda s: s.join(Grade, Grade.id == Shift.grade_id)
    if name == "week":
        return week_monday_expr(Shift.start_at, lo, hi), [], lambda s: s
    raise ValueError(f"unknown grouping {name!r}")


def _grouped(stmt, groupings, lo, hi):
    """Add the key and label columns of each grouping to ``stmt`` (keys first)."""
    keys, labels = [], []
    for index, name in enumerate(groupings):
        key, label_cols, add_joins = _grouping(name, lo, hi)
        keys.append(key.label(f"key{index}"))
        labels += [col.label(f"label{index}_{n}") for n, col in enumerate(label_cols)]
        stmt = add_joins(stmt)
    return stmt.add_columns(*keys, *labels).group_by(*keys, *labels), len(keys)


def fill_counts(*, lo, hi, groupings=(), scope=None, site_id=None, department_id=None, ended_by=None):
    """Rows of (posted, filled_bank, filled_agency, key0.., labels..) per group (one row without groupings).

    ``ended_by``: count only shifts that had ended by then (worked, or gone unfilled), so that shifts
    still ahead, most of them not filled yet, do not pull the rate down."""
    stmt = (select(func.count(Shift.id).label("posted"),
                   func.coalesce(func.sum(case((Booking.source == "bank", 1), else_=0)), 0).label("filled_bank"),
                   func.coalesce(func.sum(case((Booking.source == "agency", 1), else_=0)), 0)
                   .label("filled_agency"))
            .select_from(Shift).outerjoin(Booking, _live_booking()))
    stmt = _shift_filters(stmt, lo=lo, hi=hi, scope=scope, site_id=site_id, department_id=department_id)
    if ended_by is not None:
        stmt = stmt.where(Shift.end_at <= ended_by)
    stmt, _ = _grouped(stmt, groupings, lo, hi)
    return reports_session().execute(stmt).mappings().all()


REPORT_WORK_MEM = "32MB"


def _report_work_mem():
    """Let PostgreSQL count a year's distinct shifts in memory rather than sort them on disk.

    ``count(DISTINCT …)`` over the pay-line fan-out sorts ~140,000 rows (16 MB);
    the default 4 MB ``work_mem`` makes that an external merge. ``SET LOCAL``
    lasts only until the request's transaction ends. (Pre-aggregating pay lines
    per booking, or two statements merged by group, measured no faster here.)
    """
    if _is_postgres():
        reports_session().execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


def fill_figures(*, lo, hi, groupings=(), scope=None, site_id=None, department_id=None):
    """Counts, spend and hours per group in one pass over the period's shifts.

    Columns: posted, filled_bank, filled_agency, bank_pennies, agency_pennies,
    minutes, then key0.., labels... The join reaches the pay lines of an
    approved timesheet (one row per line), so shifts are counted distinct.
    Spend and hours count only delivered bookings: those with an approved
    timesheet, or on a completed shift. Minutes are the pay lines' paid
    minutes, else the booked shift's length. Bank spend is the approved pay
    lines; agency spend is the charge rate × those minutes, half-up to the
    penny per line (integer division, on both engines), as pay is.
    """
    delivered = or_(Shift.status.in_(DELIVERED_SHIFT_STATUSES), Booking.status == "completed")
    minutes = case((PayLine.id.is_not(None), PayLine.minutes), (delivered, shift_minutes_expr()), else_=0)
    charge = func.coalesce(type_coerce(Booking.charge_rate, Integer), 0)
    bank = case((Booking.source == "bank", func.coalesce(type_coerce(PayLine.amount, Integer), 0)), else_=0)
    agency = case((Booking.source == "agency", (charge * minutes * 2 + 60) // 120), else_=0)
    stmt = (select(func.count(Shift.id.distinct()).label("posted"),
                   func.count(case((Booking.source == "bank", Shift.id)).distinct()).label("filled_bank"),
                   func.count(case((Booking.source == "agency", Shift.id)).distinct()).label("filled_agency"),
                   func.coalesce(func.sum(bank), 0).label("bank_pennies"),
                   func.coalesce(func.sum(agency), 0).label("agency_pennies"),
                   func.coalesce(func.sum(minutes), 0).label("minutes"))
            .select_from(Shift).outerjoin(Booking, _live_booking())
            .outerjoin(Timesheet, and_(Timesheet.booking_id == Booking.id, Timesheet.status == "approved"))
            .outerjoin(PayLine, PayLine.timesheet_id == Timesheet.id))
    stmt = _shift_filters(stmt, lo=lo, hi=hi, scope=scope, site_id=site_id, department_id=department_id)
    stmt, _ = _grouped(stmt, groupings, lo, hi)
    _report_work_mem()
    return reports_session().execute(stmt).mappings().all()


# --- breaches ---------------------------------------------------------------------------


def _breach_union():
    """The breach register plus rate violations it does not hold (pending, rejected), one row each.

    A violation withdrawn because its shift was edited before anyone decided is left out: the edit's
    own check (a new violation, or none) stands in its place."""
    register = (select(
        literal_column("'breach'").label("source"), Breach.id.label("id"), Breach.type.label("type"),
        literal_column("'approved'").label("status"), Breach.at.label("at"), Breach.site_id.label("site_id"),
        Breach.shift_id.label("shift_id"), Shift.department_id.label("department_id"),
        type_coerce(Breach.amount_over, Integer).label("amount_over"),
        Breach.approved_by_id.label("approved_by_id"), Breach.approved_by_id.label("decided_by_id"),
        Breach.reason.label("reason"), cast(null(), Text).label("decision_note"),
        Breach.source_type.label("source_type"), Breach.source_id.label("source_id"))
        .select_from(Breach).outerjoin(Shift, Shift.id == Breach.shift_id))
    in_register = exists().where(Breach.source_type == "rate_violation", Breach.source_id == RateViolation.id)
    violations = (select(
        literal_column("'rate_violation'"), RateViolation.id, literal_column("'rate_violation'"),
        RateViolation.status,
        func.coalesce(RateViolation.decided_at, RateViolation.created_at), Shift.site_id, RateViolation.shift_id,
        Shift.department_id,
        type_coerce(RateViolation.flat_total, Integer) - type_coerce(RateViolation.card_total, Integer),
        case((RateViolation.status == "approved", RateViolation.decided_by_id), else_=null()),
        RateViolation.decided_by_id, RateViolation.reason, RateViolation.decision_note,
        literal_column("'rate_violation'"), RateViolation.id)
        .select_from(RateViolation).join(Shift, Shift.id == RateViolation.shift_id)
        .where(~in_register, RateViolation.status != "withdrawn"))  # replaced by its shift's edit: no breach
    return register.union_all(violations).subquery("breach_rows")


def _breach_filters(rows, *, lo, hi, scope, site_id, department_id, type_, status):
    conds = [rows.c.at >= lo, rows.c.at < hi]
    if scope is not None:
        conds.append(rows.c.site_id.in_(scope))
    if site_id is not None:
        conds.append(rows.c.site_id == site_id)
    if department_id is not None:
        conds.append(rows.c.department_id == department_id)
    if type_ is not None:
        conds.append(rows.c.type == type_)
    if status is not None:
        conds.append(rows.c.status == status)
    return conds


def _after(rows, after):
    """Rows after the keyset ``after`` = (at, source, id) in the order at desc, source, id desc."""
    at, source, id_ = after
    return or_(rows.c.at < at,
               and_(rows.c.at == at, rows.c.source > source),
               and_(rows.c.at == at, rows.c.source == source, rows.c.id < id_))


def breach_rows(*, lo, hi, scope=None, site_id=None, department_id=None, type_=None, status=None, after=None,
                limit=None):
    """The period's breaches, newest first, with names for people; from the keyset ``after``, at most ``limit``."""
    rows = _breach_union()
    approver, decider = aliased(User), aliased(User)
    stmt = (select(rows, Site.code.label("site_code"), Site.name.label("site_name"),
                   Department.name.label("department_name"), approver.name.label("approved_by_name"),
                   decider.name.label("decided_by_name"), Shift.start_at.label("shift_start"))
            .join(Site, Site.id == rows.c.site_id)
            .outerjoin(Department, Department.id == rows.c.department_id)
            .outerjoin(Shift, Shift.id == rows.c.shift_id)
            .outerjoin(approver, approver.id == rows.c.approved_by_id)
            .outerjoin(decider, decider.id == rows.c.decided_by_id)
            .where(*_breach_filters(rows, lo=lo, hi=hi, scope=scope, site_id=site_id, department_id=department_id,
                                    type_=type_, status=status))
            .order_by(rows.c.at.desc(), rows.c.source, rows.c.id.desc()))
    if after is not None:
        stmt = stmt.where(_after(rows, after))
    if limit is not None:
        stmt = stmt.limit(limit)
    return reports_session().execute(stmt).mappings().all()


def breach_counts(*, lo, hi, scope=None, site_id=None, department_id=None, type_=None, status=None):
    """(type, site_id, n) for the period."""
    rows = _breach_union()
    stmt = (select(rows.c.type, rows.c.site_id, func.count().label("n"))
            .where(*_breach_filters(rows, lo=lo, hi=hi, scope=scope, site_id=site_id, department_id=department_id,
                                    type_=type_, status=status))
            .group_by(rows.c.type, rows.c.site_id))
    return reports_session().execute(stmt).all()


# --- dashboard --------------------------------------------------------------------------


def urgent_unfilled_count(*, now, until, scope=None) -> int:
    """Shifts starting between ``now`` and ``until`` that nobody is booked on."""
    has_live = exists().where(_live_booking())
    stmt = (select(func.count(Shift.id))
            .where(Shift.status.in_(UNFILLED_STATUSES), Shift.start_at >= now, Shift.start_at < until, ~has_live))
    if scope is not None:
        stmt = stmt.where(Shift.site_id.in_(scope))
    return reports_session().execute(stmt).scalar_one()


def pending_rate_violations(scope=None) -> int:
    stmt = (select(func.count(RateViolation.id)).join(Shift, Shift.id == RateViolation.shift_id)
            .where(RateViolation.status == "pending", Shift.status == "pending_rate_approval"))
    if scope is not None:
        stmt = stmt.where(Shift.site_id.in_(scope))
    return reports_session().execute(stmt).scalar_one()


def pending_cascade_counts(scope=None) -> dict[str, int]:
    """Cascade requests and agency offers waiting for a decision (zero where the feature has no rows)."""
    out = {}
    for name, model, status in (("cascade_requests", CascadeRequest, "pending_approval"),
                                ("agency_offers", AgencyOffer, "pending_executive_approval")):
        stmt = select(func.count(model.id)).join(Shift, Shift.id == model.shift_id).where(model.status == status)
        if scope is not None:
            stmt = stmt.where(Shift.site_id.in_(scope))
        out[name] = reports_session().execute(stmt).scalar_one()
    return out


def site_names(ids=None) -> dict[int, str]:
    stmt = select(Site.id, Site.name).order_by(Site.name)
    if ids is not None:
        stmt = stmt.where(Site.id.in_(ids))
    return dict(reports_session().execute(stmt).all())
