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
from datetime import datetime, timedelta

from sqlalchemy import (
    Integer,
    Interval,
    Text,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
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


def is_postgres() -> bool:
    return reports_engine().dialect.name == "postgresql"


def london_wall(col, lo: datetime, hi: datetime):
    """London wall-clock timestamp of a UTC column (SQL expression)."""
    if is_postgres():
        return func.timezone(literal_column("'Europe/London'"), col)
    spans = summer_time_spans(lo.year - 1, hi.year + 1)
    in_summer = or_(*(and_(col >= start, col < end) for start, end in spans))
    return case((in_summer, func.datetime(col, literal_column("'+1 hour'"))), else_=func.datetime(col))


def week_monday_expr(col, lo, hi):
    """The Monday (a date) of the London week of a UTC column."""
    wall = london_wall(col, lo, hi)
    if is_postgres():
        return func.date(func.date_trunc(literal_column("'week'"), wall))
    return func.date(wall, literal_column("'weekday 0'"), literal_column("'-6 days'"))


def london_date_expr(col, lo, hi):
    """The London date of a UTC column."""
    return func.date(london_wall(col, lo, hi))


def london_weekday_expr(col, lo, hi):
    """The London weekday of a UTC column, Monday 0 to Sunday 6 (as Python's ``date.weekday()``)."""
    wall = london_wall(col, lo, hi)
    if is_postgres():
        return cast(extract("isodow", wall), Integer) - 1
    return (cast(func.strftime(literal_column("'%w'"), wall), Integer) + 6) % 7


def at_least_before(earlier, later, minutes: int):
    """SQL condition: ``earlier`` is at least ``minutes`` before ``later`` (exact to the second on both engines)."""
    if is_postgres():
        return earlier <= later - literal(timedelta(minutes=minutes), Interval)
    seconds = cast(func.strftime(literal_column("'%s'"), later), Integer) - \
        cast(func.strftime(literal_column("'%s'"), earlier), Integer)
    return seconds >= minutes * 60


def live_booking():
    return and_(Booking.shift_id == Shift.id, Booking.status != "cancelled")


def shift_filters(stmt, *, lo, hi, scope, site_id, department_id=None):
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


def grouped(stmt, groupings, lo, hi, *, group=True):
    """Add the key and label columns of each grouping to ``stmt`` (keys first), grouped by them
    unless ``group`` is false (rows keep their group's key and labels)."""
    keys, labels = [], []
    for index, name in enumerate(groupings):
        key, label_cols, add_joins = _grouping(name, lo, hi)
        keys.append(key.label(f"key{index}"))
        labels += [col.label(f"label{index}_{n}") for n, col in enumerate(label_cols)]
        stmt = add_joins(stmt)
    stmt = stmt.add_columns(*keys, *labels)
    return (stmt.group_by(*keys, *labels) if group else stmt), len(keys)


def fill_counts(*, lo, hi, groupings=(), scope=None, site_id=None, department_id=None, ended_by=None):
    """Rows of (posted, filled_bank, filled_agency, key0.., labels..) per group (one row without groupings).

    ``ended_by``: count only shifts that had ended by then (worked, or gone unfilled), so that shifts
    still ahead, most of them not filled yet, do not pull the rate down."""
    stmt = (select(func.count(Shift.id).label("posted"),
                   func.coalesce(func.sum(case((Booking.source == "bank", 1), else_=0)), 0).label("filled_bank"),
                   func.coalesce(func.sum(case((Booking.source == "agency", 1), else_=0)), 0)
                   .label("filled_agency"))
            .select_from(Shift).outerjoin(Booking, live_booking()))
    stmt = shift_filters(stmt, lo=lo, hi=hi, scope=scope, site_id=site_id, department_id=department_id)
    if ended_by is not None:
        stmt = stmt.where(Shift.end_at <= ended_by)
    stmt, _ = grouped(stmt, groupings, lo, hi)
    return reports_session().execute(stmt).mappings().all()


# --- spend ------------------------------------------------------------------------------
# Spend counts delivered work: the pay lines of approved timesheets (settled), and, for a worked
# shift whose timesheet is not approved yet (none, submitted or queried), an estimate the service
# prices from the booked times. A rejected timesheet is final: nothing is paid, nothing estimated.
PENDING_TIMESHEET_STATUSES = ("submitted", "queried")


def settled_spend(*, lo, hi, group_by, scope=None, site_id=None, department_id=None):
    """Per group: pence and minutes of approved timesheets' pay lines, bank and agency, and the bank pence
    paid at a flat rate off the card. Columns bank_pennies, bank_minutes, agency_pennies, agency_minutes,
    off_card_pennies, then key0 and labels."""
    bank, agency = Booking.source == "bank", Booking.source == "agency"
    amount = type_coerce(PayLine.amount, Integer)

    def total(condition, value):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    stmt = (select(total(bank, amount).label("bank_pennies"), total(bank, PayLine.minutes).label("bank_minutes"),
                   total(agency, amount).label("agency_pennies"),
                   total(agency, PayLine.minutes).label("agency_minutes"),
                   total(and_(bank, Shift.hourly_rate.is_not(None)), amount).label("off_card_pennies"))
            .select_from(Shift).join(Booking, live_booking())
            .join(Timesheet, and_(Timesheet.booking_id == Booking.id, Timesheet.status == "approved"))
            .join(PayLine, PayLine.timesheet_id == Timesheet.id))
    stmt = shift_filters(stmt, lo=lo, hi=hi, scope=scope, site_id=site_id, department_id=department_id)
    stmt, _ = grouped(stmt, (group_by,), lo, hi)
    return reports_session().execute(stmt).mappings().all()


def unsettled_delivered(*, lo, hi, group_by, scope=None, site_id=None, department_id=None):
    """Worked bookings still without an approved timesheet (none yet, or submitted or queried), one row
    each with what prices them (times, grade, flat rate, pinned card, agency charge) and their group."""
    delivered = or_(Shift.status.in_(DELIVERED_SHIFT_STATUSES), Booking.status == "completed")
    pending = or_(Timesheet.id.is_(None), Timesheet.status.in_(PENDING_TIMESHEET_STATUSES))
    stmt = (select(Shift.id.label("shift_id"), Shift.start_at, Shift.end_at, Shift.grade_id, Shift.hourly_rate,
                   Booking.source, Booking.charge_rate)
            .select_from(Shift).join(Booking, live_booking())
            .outerjoin(Timesheet, Timesheet.booking_id == Booking.id)
            .where(delivered, pending))
    stmt = shift_filters(stmt, lo=lo, hi=hi, scope=scope, site_id=site_id, department_id=department_id)
    stmt, _ = grouped(stmt, (group_by,), lo, hi, group=False)
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
    has_live = exists().where(live_booking())
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
