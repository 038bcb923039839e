"""Eligibility before the tap: the reasons shown for many pairs at once are exactly what a claim (or an
assignment) answers, and reading them costs the same few statements for 5 shifts or doctors as for 40."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from bankapp.errors import Conflict, RuleRefused
from bankapp.extensions import db
from bankapp.shifts import eligibility
from bankapp.shifts.booking import assign_shift, claim_shift
from bankapp.shifts.models import Shift
from tests.factories import make_shift

from .conftest import NOW, booked, post


def claim_answer(doctor, shift_id):
    """What a real claim answers, undone afterwards: [] when it books, else its reasons (or the 409 detail)."""
    savepoint = db.session.begin_nested()
    try:
        claim_shift(shift_id, doctor=doctor)
        answer = []
    except RuleRefused as exc:
        answer = [(r.code, r.message) for r in exc.reasons]
    except Conflict as exc:
        answer = [("not_available", exc.detail)]
    savepoint.rollback()
    return answer


def assign_answer(coordinator, doctor, shift_id):
    savepoint = db.session.begin_nested()
    try:
        assign_shift(shift_id, doctor=doctor, actor=coordinator)
        answer = []
    except RuleRefused as exc:
        answer = [(r.code, r.message) for r in exc.reasons]
    savepoint.rollback()
    return answer


def pairs(reasons):
    return [(r.code, r.message) for r in reasons]


@pytest.fixture
def rota(market, api, factory):
    """A doctor with bookings at both sites, and open shifts around them that each trip a different rule."""
    doctor = factory.doctor("ST3", expires_in_days=40)  # documents valid through Sun 11 Oct 2026
    db.session.commit()
    for day in range(5, 9):  # four nights, Mon-Thu, at the other site
        booked(market, doctor, f"2026-10-{day:02d}T21:00", f"2026-10-{day + 1:02d}T07:00", department=market.dept_b)
    shifts = {
        "clean": post(api, market, "2026-09-20T08:00", "2026-09-20T18:00"),
        "overlap": post(api, market, "2026-10-06T06:00", "2026-10-06T09:00"),
        "fifth_night": post(api, market, "2026-10-09T21:00", "2026-10-10T07:00"),
        "rest_after_nights": post(api, market, "2026-10-10T12:00", "2026-10-10T18:00"),
        "too_long": post(api, market, "2026-09-21T07:00", "2026-09-21T21:00"),
        "expired": post(api, market, "2026-10-11T20:00", "2026-10-12T06:00"),
        "junior": post(api, market, "2026-09-22T08:00", "2026-09-22T18:00", grade="FY1"),
        "held": post(api, market, "2026-09-23T08:00", "2026-09-23T18:00", hourly_rate="95.00"),
    }
    taken = post(api, market, "2026-09-24T08:00", "2026-09-24T18:00")
    api(market.doctor).post(f"/api/v1/shifts/{taken['id']}/claim")
    shifts["taken"] = taken
    started = make_shift(department=market.dept_a, grade=market.grades["ST3"], start=NOW - timedelta(hours=1),
                         end=NOW + timedelta(hours=5), posted_by=market.coordinator_a)
    db.session.commit()
    shifts["started"] = {"id": started.id}
    return doctor, {name: db.session.get(Shift, s["id"]) for name, s in shifts.items()}


def test_for_doctor_gives_what_the_claim_gives_for_every_shift(rota):
    doctor, shifts = rota
    shown = eligibility.for_doctor(doctor, shifts.values())
    for name, shift in shifts.items():
        assert pairs(shown[shift.id]) == claim_answer(doctor, shift.id), name
    codes = {name: [r.code for r in shown[s.id]] for name, s in shifts.items()}
    assert codes == {
        "clean": [], "junior": [], "overlap": ["overlap"], "fifth_night": ["wtr_max_consecutive_nights"],
        "rest_after_nights": ["wtr_rest_after_nights_46h"], "too_long": ["wtr_max_shift_13h"],
        "expired": ["compliance_expired"], "held": ["not_available"], "taken": ["not_available"],
        "started": ["not_available"]}


def test_refusals_name_the_clashing_shift_by_site_day_and_time(rota):
    doctor, shifts = rota
    shown = eligibility.for_doctor(doctor, [shifts["overlap"], shifts["rest_after_nights"]])
    assert shown[shifts["overlap"].id][0].message == (
        "This overlaps your booked shift: Beta Hospital, Mon 5 Oct 21:00 to Tue 6 Oct 07:00.")
    assert shown[shifts["rest_after_nights"].id][0].message == (
        "You would have only 29 hours' rest after your night shift at Beta Hospital ending Fri 9 Oct 07:00; "
        "at least 46 hours are needed before this shift.")


def test_for_shift_gives_what_an_assignment_gives_for_every_doctor(market, api, factory):
    shift = post(api, market, "2026-10-06T08:00", "2026-10-06T18:00")
    doctors = [
        market.doctor,
        factory.doctor("FY1", name="Dr Junior"),
        factory.doctor("ST3", sites=[market.site_b], name="Dr Beta Only"),
        factory.doctor("ST3", documents=False, name="Dr No Papers"),
        factory.doctor("ST3", expires_in_days=20, name="Dr Lapsing"),
        factory.doctor("CONS", name="Dr Busy"),
    ]
    db.session.commit()
    booked(market, doctors[5], "2026-10-05T14:00", "2026-10-05T22:00", department=market.dept_b)
    shift = db.session.get(Shift, shift["id"])
    shown = eligibility.for_shift(shift, doctors)
    for doctor in doctors:
        assert pairs(shown[doctor.id]) == assign_answer(market.coordinator_a, doctor, shift.id), doctor.name
    assert [[r.code for r in shown[d.id]] for d in doctors] == [
        [], ["grade_mismatch"], ["site_not_enabled"], ["compliance_missing"], ["compliance_expired"],
        ["wtr_min_rest_11h"]]
    assert shown[doctors[4].id][0].message.startswith("Dr Lapsing's GMC licence to practise (valid until Mon 21 Sep")


def test_a_started_shift_may_still_be_assigned_but_not_claimed(market):
    started = make_shift(department=market.dept_a, grade=market.grades["ST3"], start=NOW - timedelta(hours=1),
                         end=NOW + timedelta(hours=5), posted_by=market.coordinator_a)
    db.session.commit()
    assert eligibility.for_shift(started, [market.doctor]) == {market.doctor.id: []}
    assert [r.code for r in eligibility.for_doctor(market.doctor, [started])[started.id]] == ["not_available"]


def _open_shifts(world, count, *, first_day=3):
    shifts = []
    for i in range(count):
        start = NOW + timedelta(days=first_day, hours=30 * i)
        shifts.append(make_shift(department=world.dept_a if i % 2 else world.dept_b, grade=world.grades["ST3"],
                                 start=start, end=start + timedelta(hours=8), posted_by=world.coordinator_a))
    db.session.commit()
    return shifts


@contextmanager
def statements():
    """Statements sent in the block (nothing expired first: the objects are as a page has them loaded)."""
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_for_doctor_costs_two_statements_for_5_or_40_shifts(market):
    booked(market, market.doctor, "2026-09-10T08:00", "2026-09-10T18:00", department=market.dept_b)
    for count in (5, 40):
        shifts = _open_shifts(market, count)
        for shift in shifts:
            shift.site, shift.grade  # noqa: B018 - loaded with the shift, as the board loads them
        market.doctor.site_ids, market.doctor.doctor_profile.grade  # noqa: B018 - loaded with the login
        with statements() as seen:
            shown = eligibility.for_doctor(market.doctor, shifts)
        assert len(shown) == count and len(seen) == 2, seen


def test_for_shift_costs_two_statements_for_5_or_40_doctors(market, factory):
    shift = _open_shifts(market, 1)[0]
    doctors = [factory.doctor("ST3") for _ in range(40)]
    db.session.commit()
    shift.site, shift.grade  # noqa: B018
    for count in (5, 40):
        chosen = doctors[:count]
        for doctor in chosen:
            doctor.site_ids, doctor.doctor_profile.grade, doctor.name  # noqa: B018 - as the candidates query loads them
        with statements() as seen:
            shown = eligibility.for_shift(shift, chosen)
        assert len(shown) == count and len(seen) == 2, seen
