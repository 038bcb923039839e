"""Read-only questions about shifts and bookings: who may see what, and facts for the claim checks.

Visibility (API and pages):
- a doctor sees claimable shifts that have not started, at a grade they may
  work (shift rank ≤ theirs) and a site they are enabled at, plus every shift
  they hold a live booking on; never another doctor's booking;
- coordinators and approvers see every shift of their sites;
- executives, payroll and admins see the whole trust;
- an agency user sees shifts released to its tier (tier 1 sees tier 1 and
  tier 2 releases, tier 2 only tier 2) that have not started, here as in its
  portal (``cascade.services.shifts_for_agency``).
"""
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from sqlalchemy import bindparam
from sqlalchemy.orm import aliased, joinedload, lazyload

from ..auth.models import User, UserRole, UserSite
from ..auth.permissions import sites_in_scope
from ..cascade.rules import visible_statuses  # the cascade owns what each tier sees
from ..extensions import db
from ..org.models import Grade, Site
from ..rates.models import RateViolation
from ..staff.models import DoctorProfile
from ..staff.services import latest_documents
from ..timeutil import now_utc
from . import rules
from .models import CLAIMABLE_STATUSES, Booking, Shift
from .scanning import kept_shifts, keys

# How far around a new shift the claim checks look at existing bookings: the
# 26-week average's windows reach 182 days either side of it (every other check
# looks within 10 days). One read for all of them, never one per window.
CLAIM_CONTEXT = timedelta(days=182)
PAGE_SIZE = 25  # shifts per page on the board and the coordinator list
STAFF_ROLES = ("coordinator", "approver", "executive", "chief_executive", "payroll", "admin")


def doctor_facts(doctor, documents=None) -> rules.DoctorFacts:
    """The claim checks' facts about ``doctor``; ``documents`` (kind → latest expiry) when already loaded."""
    profile = doctor.doctor_profile
    grade = profile.grade if profile is not None else None
    return rules.DoctorFacts(grade_rank=grade.rank if grade is not None else None,
                             site_ids=frozenset(doctor.site_ids) or None,
                             documents=latest_documents(doctor.id) if documents is None else documents,
                             wtr_opt_out=profile is not None and profile.wtr_opt_out_at is not None,
                             grade_code=grade.code if grade is not None else None)


def shift_facts(shift) -> rules.ShiftFacts:
    return rules.ShiftFacts(shift.start_at, shift.end_at, grade_rank=shift.grade.rank, site_id=shift.site_id,
                            grade_code=shift.grade.code, site_name=shift.site.name)


@dataclass(frozen=True)
class Booked:
    """A live booking of a doctor, as the claim checks see it."""

    doctor_id: int
    shift_id: int
    interval: rules.Interval


def live_bookings_of(doctor_ids, *, ends_after, starts_before=None) -> list[Booked]:
    """Live (not cancelled) bookings of these doctors at every site, in (start) order, with the site's name.

    Only bookings ending after ``ends_after`` and (when given) starting before
    ``starts_before``: the claim checks look CLAIM_CONTEXT around a shift.
    """
    params = {"doctor_ids": list(doctor_ids), "ends_after": ends_after, "starts_before": starts_before}
    rows = db.session.execute(_live_bookings_statement(starts_before is not None), params)
    return [Booked(doctor_id, shift_id, rules.Interval(start, end, where=site))
            for doctor_id, shift_id, start, end, site in rows]


@cache
def _live_bookings_statement(bounded: bool):
    """``live_bookings_of``'s statement for each shape, built once (every claim asks it)."""
    stmt = (db.select(Booking.doctor_id, Shift.id, Shift.start_at, Shift.end_at, Site.name)
            .join(Booking, Booking.shift_id == Shift.id).join(Site, Site.id == Shift.site_id)
            .where(Booking.doctor_id.in_(bindparam("doctor_ids", expanding=True)), Booking.status != "cancelled",
                   Shift.status != "cancelled", Shift.end_at > bindparam("ends_after")))
    if bounded:
        stmt = stmt.where(Shift.start_at < bindparam("starts_before"))
    return stmt.order_by(Shift.start_at)


def live_booking(shift_id) -> Booking | None:
    return db.session.execute(db.select(Booking).where(Booking.shift_id == shift_id, Booking.status != "cancelled")
                              .order_by(Booking.id.desc()).limit(1)).scalar_one_or_none()


def doctor_rank(doctor):
    profile = doctor.doctor_profile
    return profile.grade.rank if profile is not None and profile.grade is not None else None


def _booked_by(doctor_id):
    return db.select(Booking.shift_id).where(Booking.doctor_id == doctor_id, Booking.status != "cancelled")


def open_for_doctor_clause(doctor):
    """SQL condition: claimable, not started, a grade and site the doctor may work."""
    rank = doctor_rank(doctor)
    clause = db.and_(Shift.status.in_(CLAIMABLE_STATUSES), Shift.start_at > now_utc(),
                     Shift.grade_id.in_(db.select(Grade.id).where(Grade.rank <= (rank if rank is not None else -1))))
    if doctor.site_ids:
        clause = db.and_(clause, Shift.site_id.in_(doctor.site_ids))
    return clause


def visible_clause(user):
    """SQL condition for the shifts ``user`` may see (see module docstring)."""
    clauses = []
    if user.has_role(*STAFF_ROLES):
        scope = sites_in_scope(user, *STAFF_ROLES)
        clauses.append(db.true() if scope is None else Shift.site_id.in_(scope or [-1]))
    if user.has_role("doctor"):
        clauses.append(db.or_(open_for_doctor_clause(user), Shift.id.in_(_booked_by(user.id))))
    if user.has_role("agency") and user.agency is not None:
        clauses.append(db.and_(Shift.status.in_(visible_statuses(user.agency.tier)), Shift.start_at > now_utc()))
    return db.or_(*clauses) if clauses else db.false()


def filtered(stmt, *, status=None, site_id=None, department_id=None, grade=None, from_=None, to=None):
    """Apply the list filters. ``from_``/``to`` keep shifts that start in [from_, to)."""
    if status:
        stmt = stmt.where(Shift.status == status)
    if site_id:
        stmt = stmt.where(Shift.site_id == site_id)
    if department_id:
        stmt = stmt.where(Shift.department_id == department_id)
    if grade:
        stmt = stmt.where(Shift.grade_id.in_(db.select(Grade.id).where(Grade.code == grade)))
    if from_ is not None:
        stmt = stmt.where(Shift.start_at >= from_)
    if to is not None:
        stmt = stmt.where(Shift.start_at < to)
    return stmt


def shifts_visible_to(user, **filters):
    return filtered(db.select(Shift).where(visible_clause(user)), **filters)


def visible_shift(user, shift_id) -> Shift | None:
    return db.session.execute(db.select(Shift).where(Shift.id == shift_id, visible_clause(user))).scalar_one_or_none()


def clear_of_bookings(doctor_id):
    """SQL: the shift shares no time with a live booking of the doctor.

    Only to narrow what the claim checks are run on when listing the shifts a doctor can take: a claim of
    an overlapping shift is always refused (``overlap``), so leaving them out in SQL changes no answer, and
    the checks themselves still decide every shift listed.
    """
    booked = aliased(Shift)
    return ~db.exists().where(Booking.doctor_id == doctor_id, Booking.status != "cancelled",
                              Booking.shift_id == booked.id, booked.status != "cancelled",
                              booked.start_at < Shift.end_at, booked.end_at > Shift.start_at)


def board_query(doctor, **filters):
    """The doctor's shift board as a statement: open shifts they may work (see ``open_for_doctor_clause``)."""
    return filtered(db.select(Shift).where(open_for_doctor_clause(doctor)), **filters)


def board(doctor, *, limit=200, **filters) -> list[Shift]:
    """The doctor's shift board: open shifts they may work, soonest first."""
    stmt = board_query(doctor, **filters)
    return db.session.execute(stmt.order_by(Shift.start_at, Shift.id).limit(limit)).scalars().all()


@dataclass
class Page:
    """One page of a list of shifts in (start, id) order.

    ``next``/``previous`` are cursors for the links: the id of the last (first)
    shift of this page, or None when there is nothing after (before) it.
    """

    items: list
    next: int | None = None
    previous: int | None = None


def start_page(stmt, *, after=None, before=None, limit=PAGE_SIZE, keep=None) -> Page:
    """One page of ``stmt`` soonest first, by keyset on (start, id), in SQL (no OFFSET).

    Cursors are shift ids. ``after=N``: the shifts that come after shift N in
    (start, id) order; ``before=N``: the ones just before it. Shifts are never
    deleted, so a cursor stays valid when the shift is booked or cancelled.
    ``keep(shift)``: list only the shifts it lets through (e.g. those the
    doctor can claim; see ``kept_shifts``).
    """
    backwards = before is not None
    anchor = before if backwards else after
    if keep is None:
        rows = db.session.execute(_keyset(stmt, anchor, backwards).limit(limit + 1)).scalars().all()
    else:
        rows = kept_shifts(lambda last, size: db.session.execute(
            _keyset(keys(stmt), last if last is not None else anchor, backwards).limit(size)), keep, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
        return Page(rows, next=rows[-1].id if rows else None, previous=rows[0].id if more and rows else None)
    return Page(rows, next=rows[-1].id if more and rows else None,
                previous=rows[0].id if after is not None and rows else None)


def id_page(stmt, *, cursor=None, limit=50, keep) -> dict:
    """The API's ``{items, next}`` page of ``stmt`` by id (as ``apiutil.keyset_page``), only the shifts ``keep``
    lets through (``kept_shifts``)."""

    def fetch(last, size):
        start = last if last is not None else cursor
        page = keys(stmt).where(Shift.id > start) if start is not None else keys(stmt)
        return db.session.execute(page.order_by(Shift.id).limit(size))

    rows = kept_shifts(fetch, keep, limit + 1)
    return {"items": rows[:limit], "next": rows[limit - 1].id if len(rows) > limit else None}


def _keyset(stmt, anchor_id, backwards):
    """``stmt`` from the shift ``anchor_id`` on (or back from it), in (start, id) order."""
    key = db.tuple_(Shift.start_at, Shift.id)
    if anchor_id is not None:
        start = db.select(Shift.start_at).where(Shift.id == anchor_id).scalar_subquery()
        anchor = db.tuple_(start, anchor_id)
        # The plain start bound lets an index on start_at begin (or end) the scan at the cursor.
        stmt = stmt.where(*((key < anchor, Shift.start_at <= start) if backwards
                            else (key > anchor, Shift.start_at >= start)))
    if backwards:
        return stmt.order_by(Shift.start_at.desc(), Shift.id.desc())
    return stmt.order_by(Shift.start_at, Shift.id)


def count(stmt) -> int:
    """How many shifts ``stmt`` (a ``select(Shift)``) finds, in one ``count``."""
    return db.session.execute(stmt.with_only_columns(db.func.count(Shift.id)).order_by(None)).scalar_one()


def my_bookings(doctor, when=None):
    """The doctor's own bookings (never anyone else's); ``when``: upcoming, past or None."""
    stmt = db.select(Booking).join(Shift, Booking.shift_id == Shift.id).where(Booking.doctor_id == doctor.id)
    now = now_utc()
    if when == "upcoming":
        stmt = stmt.where(Shift.end_at > now, Booking.status != "cancelled")
    elif when == "past":
        stmt = stmt.where(Shift.end_at <= now)
    return stmt


def my_booking(doctor, booking_id) -> Booking | None:
    return db.session.execute(db.select(Booking).where(Booking.id == booking_id, Booking.doctor_id == doctor.id)
                              ).scalar_one_or_none()


def next_booking(doctor) -> Booking | None:
    stmt = my_bookings(doctor, "upcoming").order_by(Shift.start_at).limit(1)
    return db.session.execute(stmt).scalar_one_or_none()


def open_count(doctor) -> int:
    return db.session.execute(db.select(db.func.count(Shift.id)).where(open_for_doctor_clause(doctor))).scalar_one()


def coordinator_query(user, *, status=None, days_ahead=None, **filters):
    """Shifts of the coordinator's sites (all of them for an admin), as a statement."""
    scope = sites_in_scope(user, "coordinator", "admin")
    stmt = filtered(db.select(Shift), status=status, **filters)
    if scope is not None:
        stmt = stmt.where(Shift.site_id.in_(scope or [-1]))
    if days_ahead is not None:
        now = now_utc()
        stmt = stmt.where(Shift.start_at > now, Shift.start_at < now + timedelta(days=days_ahead))
    return stmt


def coordinator_shifts(user, *, status=None, days_ahead=None, limit=300, **filters) -> list[Shift]:
    stmt = coordinator_query(user, status=status, days_ahead=days_ahead, **filters)
    return db.session.execute(stmt.order_by(Shift.start_at, Shift.id).limit(limit)).scalars().all()


def status_counts(stmt) -> dict[str, int]:
    """Status → number of shifts ``stmt`` finds (one grouped query)."""
    counted = stmt.with_only_columns(Shift.status, db.func.count(Shift.id)).group_by(Shift.status).order_by(None)
    return dict(db.session.execute(counted).all())


def unfilled_soon(user, days=7) -> list[Shift]:
    """Shifts of the coordinator's sites starting in the next ``days`` days with nobody booked."""
    shifts = coordinator_shifts(user, days_ahead=days)
    return [s for s in shifts if s.status in (*CLAIMABLE_STATUSES, "pending_rate_approval")]


def live_bookings_for(shift_ids) -> dict:
    """shift id → live booking with its doctor, for lists (one query, plus the doctors' roles and sites)."""
    if not shift_ids:
        return {}
    rows = db.session.execute(db.select(Booking).options(joinedload(Booking.doctor))
                              .where(Booking.shift_id.in_(shift_ids), Booking.status != "cancelled")).scalars()
    return {b.shift_id: b for b in rows}


def latest_violation(shift):
    violations = sorted(getattr(shift, "rate_violations", None) or [], key=lambda v: v.id)
    return violations[-1] if violations else None


def latest_violations(shift_ids) -> dict:
    """shift id → its latest rate violation, for the shifts that have one (one query)."""

    if not shift_ids:
        return {}
    rows = db.session.execute(db.select(RateViolation).options(lazyload(RateViolation.shift))
                              .where(RateViolation.shift_id.in_(shift_ids)).order_by(RateViolation.id)).scalars()
    return {v.shift_id: v for v in rows}


def doctors_with_facts(user_ids) -> list[User]:
    """These users with what the claim checks read of them (roles, sites, grade): a constant number of statements."""
    if not user_ids:
        return []
    return db.session.execute(db.select(User).where(User.id.in_(list(user_ids)))).scalars().all()


CANDIDATE_POOL = 200  # doctors a coordinator's search weighs at once (the claim checks decide who comes first)


def candidate_doctors(shift, *, q=None, limit=CANDIDATE_POOL) -> list[User]:
    """Active bank doctors a coordinator might book on ``shift``, matching ``q`` (part of the name or GMC number).

    Those of the shift's grade or above who may work at its site come first, then by name; who can really
    take it is for the claim checks (``eligibility.ShiftView``) to say.
    """
    is_doctor = db.exists().where(UserRole.user_id == User.id, UserRole.role == "doctor")
    site_links = db.exists().where(UserSite.user_id == User.id)
    this_site = db.exists().where(UserSite.user_id == User.id, UserSite.site_id == shift.site_id)
    fits = db.and_(Grade.rank >= shift.grade.rank, db.or_(~site_links, this_site))
    stmt = (db.select(User).join(DoctorProfile, DoctorProfile.user_id == User.id)
            .outerjoin(Grade, Grade.id == DoctorProfile.grade_id)
            .where(User.active.is_(True), User.anonymised_at.is_(None), is_doctor))
    text = (q or "").strip().lower()
    if text:
        like = f"%{text}%"
        stmt = stmt.where(db.or_(db.func.lower(User.name).like(like), DoctorProfile.gmc_number.like(like)))
    order = db.case((fits, 0), else_=1)
    return db.session.execute(stmt.order_by(order, db.func.lower(User.name), User.id).limit(limit)).scalars().all()


def work_history(doctor_ids) -> dict[int, list[tuple]]:
    """doctor id → [(site id, shifts worked, start of the last one)] of the shifts they have worked (one query)."""
    if not doctor_ids:
        return {}
    rows = db.session.execute(
        db.select(Booking.doctor_id, Shift.site_id, db.func.count(Shift.id), db.func.max(Shift.start_at))
        .join(Shift, Shift.id == Booking.shift_id)
        .where(Booking.doctor_id.in_(list(doctor_ids)), Booking.status != "cancelled", Shift.end_at <= now_utc())
        .group_by(Booking.doctor_id, Shift.site_id))
    out: dict[int, list[tuple]] = {}
    for doctor_id, site_id, worked, last in rows:
        out.setdefault(doctor_id, []).append((site_id, worked, last))
    return out
