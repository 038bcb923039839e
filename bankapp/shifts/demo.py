"""Demo marketplace scenes on top of the generated quarter (``bankapp/demo/quarter.py``).

Through the real services: three shifts posted at a flat rate above the card
for the approvers' queues, a few shifts posted this morning for the next days
(their alerts are in the outbox), two upcoming shifts for the demo doctor
(through the claim checks, so nobody is double-booked or over their hours),
and a dozen worked shifts from the last fortnight left for timesheets. A night
over a clock change appears whenever one falls within the days posted.
"""
import logging
from datetime import datetime, time, timedelta
from decimal import Decimal

from ..errors import DomainError
from ..extensions import db
from ..org.models import Grade
from ..timeutil import LONDON, is_bank_holiday, london_date, now_utc
from . import lifecycle
from .booking import assign_shift
from .models import Shift
from .services import post_shift

log = logging.getLogger(__name__)

# (start, end, weight): day, long day, night, twilight.
PATTERNS = [(time(8), time(17), 3), (time(8), time(20), 3), (time(20), time(8), 3), (time(14), time(22), 1)]
SHIFT_GRADES = ["FY1", "FY2", "CT1", "ST3", "ST3", "ST6", "SAS", "CONS"]
DAYS_AHEAD = 3  # shifts posted through the service this morning (the quarter has the weeks ahead)
# (site code, department, grade, days ahead, flat £/h, reason): about 15%, 35% and 8% over the card.
VIOLATIONS = [
    ("BRM", "Emergency Department", "ST3", 9, "75.00", "Two registrars off sick; no bank claims at card rate "
                                                        "after 5 days."),
    ("BAS", "Intensive Care", "CONS", 12, "203.00", "Only one consultant with ICU sign-off is available."),
    ("STH", "Paediatrics", "FY2", 15, "43.00", "Half-term week: the rota gap has been open for 10 days."),
]
PER_SITE_PER_DAY = (1, 2)


def _at(day, clock):
    return datetime.combine(day, clock, tzinfo=LONDON)


def _times(day, pattern):
    start, end, _ = pattern
    end_day = day + timedelta(days=1) if end <= start else day
    return _at(day, start), _at(end_day, end)


def _post(ctx, site, day, pattern, *, retrospective=False):
    coordinator = ctx.people.get(f"coordinator:{site.code}")
    departments = [d for d in ctx.departments if d.site_id == site.id]
    grade = ctx.grades.get(ctx.rng.choice(SHIFT_GRADES))
    if coordinator is None or not departments or grade is None:
        return None
    start, end = _times(day, pattern)
    try:
        return post_shift(actor=coordinator, department=ctx.rng.choice(departments), grade=grade, start=start,
                          end=end, retrospective=retrospective,
                          reason=ctx.rng.choice([None, None, "Rota gap", "Sickness cover", "Extra winter capacity"]))
    except DomainError as exc:
        log.info("demo shift skipped: %s", exc.detail)
        return None


def _book(ctx, shift, doctors):
    """Book the first of ``doctors`` the claim checks allow; None if nobody fits."""
    coordinator = ctx.people.get(f"coordinator:{shift.site.code}")
    for doctor in doctors:
        profile = doctor.doctor_profile
        if profile is None or profile.grade is None or profile.grade.rank < shift.grade.rank:
            continue
        try:
            return assign_shift(shift.id, doctor=doctor, actor=coordinator)
        except DomainError:
            continue
    return None


def seed(ctx):
    today = london_date(now_utc())
    _violations(ctx, today)
    weights = [p[2] for p in PATTERNS]
    posted = []
    for offset in range(1, DAYS_AHEAD + 1):
        day = today + timedelta(days=offset)
        for site in ctx.sites:
            for _ in range(ctx.rng.randint(*PER_SITE_PER_DAY)):
                shift = _post(ctx, site, day, ctx.rng.choices(PATTERNS, weights=weights)[0])
                if shift is not None:
                    posted.append(shift)
    demo_doctor, others = (ctx.doctors[0], ctx.doctors[2:]) if ctx.doctors else (None, [])
    booked = 0
    if demo_doctor is not None:  # two upcoming shifts for the demo doctor, about a week apart
        for shift in _open_ahead(demo_doctor)[::7][:2]:
            booked += _book(ctx, shift, [demo_doctor]) is not None
    for shift in posted:
        if shift.status == "open" and ctx.rng.random() < 0.2:
            booked += _book(ctx, shift, ctx.rng.sample(others, min(15, len(others)))) is not None
    worked = _past_shifts(ctx, today, demo_doctor, others)
    log.info("demo marketplace: %s shifts posted, %s booked, %s worked", len(posted), booked, worked)


def _open_ahead(doctor):
    """Open shifts of the coming fortnight at the doctor's grade or below, soonest first."""
    rank = doctor.doctor_profile.grade.rank
    now = now_utc()
    stmt = (db.select(Shift).join(Grade, Grade.id == Shift.grade_id)
            .where(Shift.status == "open", Shift.start_at > now + timedelta(days=2),
                   Shift.start_at < now + timedelta(days=16), Grade.rank <= rank)
            .order_by(Shift.start_at, Shift.id))
    return db.session.execute(stmt).unique().scalars().all()


def _past_shifts(ctx, today, demo_doctor, others):
    """Worked shifts over the last fortnight (retrospective), completed as the job would, for timesheets."""
    worked = 0
    for offset in range(14, 1, -1):
        day = today - timedelta(days=offset)
        site = ctx.sites[offset % len(ctx.sites)] if ctx.sites else None
        if site is None:
            break
        shift = _post(ctx, site, day, PATTERNS[1 if offset % 2 else 0], retrospective=True)
        if shift is None:
            continue
        doctors = ([demo_doctor] if demo_doctor is not None and offset % 3 == 0 else []) + ctx.rng.sample(
            others, min(10, len(others)))
        if _book(ctx, shift, doctors) is not None:
            worked += 1
    lifecycle.complete_worked(now_utc())
    return worked


def _weekday(day):
    while day.weekday() >= 5 or is_bank_holiday(day):
        day += timedelta(days=1)
    return day


def _violations(ctx, today):
    """A few shifts posted at a flat rate above the card, for the demo approvers' queues."""
    depts = {(d.site.code, d.name): d for d in ctx.departments}
    for site_code, dept_name, grade, days, rate, reason in VIOLATIONS:
        dept = depts.get((site_code, dept_name))
        coordinator = ctx.people.get(f"coordinator:{site_code}")
        if dept is None or coordinator is None or grade not in ctx.grades:
            continue
        start = datetime.combine(_weekday(today + timedelta(days=days)), time(9), tzinfo=LONDON)
        post_shift(actor=coordinator, department=dept, grade=ctx.grades[grade], start=start,
                   end=start + timedelta(hours=10), hourly_rate=Decimal(rate), reason=reason)
