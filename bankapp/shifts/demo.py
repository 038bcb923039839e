"""Demo marketplace: about 150 shifts at the three sites over the next three weeks.

Mostly open; about a fifth booked by demo doctors (through the real claim
checks, so nobody is double-booked or over their hours); the demo doctor has
two upcoming shifts and plenty left to claim; a dozen worked shifts from the
last fortnight are left for timesheets. A night over a clock change appears
whenever one falls within the three weeks.
"""
import logging
from datetime import datetime, time, timedelta

from ..errors import DomainError
from ..timeutil import LONDON, london_date, now_utc
from .booking import assign_shift
from .models import Booking, Shift
from .services import post_shift

log = logging.getLogger(__name__)

# (start, end, weight): day, long day, night, twilight.
PATTERNS = [(time(8), time(17), 3), (time(8), time(20), 3), (time(20), time(8), 3), (time(14), time(22), 1)]
SHIFT_GRADES = ["FY1", "FY2", "CT1", "ST3", "ST3", "ST6", "SAS", "CONS"]
DAYS_AHEAD = 21
PER_SITE_PER_DAY = (2, 3)


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
    if demo_doctor is not None:  # two upcoming shifts for the demo doctor, a week apart
        for shift in [s for s in posted if s.status == "open" and s.grade.rank <= 40][3::28][:2]:
            booked += _book(ctx, shift, [demo_doctor]) is not None
    for shift in posted:
        if shift.status == "open" and ctx.rng.random() < 0.2:
            booked += _book(ctx, shift, ctx.rng.sample(others, min(15, len(others)))) is not None
    worked = _past_shifts(ctx, today, demo_doctor, others)
    log.info("demo marketplace: %s shifts posted, %s booked, %s worked", len(posted), booked, worked)


def _past_shifts(ctx, today, demo_doctor, others):
    """Worked shifts over the last fortnight (retrospective), marked completed, for timesheets."""
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
        booking = _book(ctx, shift, doctors)
        if booking is not None:
            _complete(shift, booking)
            worked += 1
    return worked


def _complete(shift: Shift, booking: Booking):
    """The shift has been worked (demo history only; no workflow moves shifts here)."""
    shift.status = "completed"
    booking.status = "completed"
