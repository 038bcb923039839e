"""Which card is in force and its agency caps, on real rows (pay estimates of shifts: tests/shifts/test_pricing.py)."""
from datetime import date

from bankapp.rates import services
from bankapp.timeutil import london_date
from tests.factories import make_shift

from .cards import d, make_card


def _shift(world, start, end, grade="ST3", **kw):
    return make_shift(department=world.dept_a, grade=world.grades[grade], start=start, end=end,
                      posted_by=world.coordinator_a, **kw)


def _lines(breakdown):
    return [(line.band, str(line.hours), str(line.amount)) for line in breakdown.lines]


def test_agency_cap_comes_from_the_card_in_force_at_the_start(world):
    make_card(world.admin, date(2026, 1, 1))
    shift = _shift(world, "2026-07-01T09:00", "2026-07-01T17:00")
    assert services.agency_cap_for(shift) == d("80.00")
    assert services.agency_cap_for(_shift(world, "2025-07-01T09:00", "2025-07-01T17:00")) is None


def test_current_card_is_the_one_in_force_today(world):
    make_card(world.admin, date(2020, 1, 1))
    later = make_card(world.admin, date(2021, 1, 1))
    assert services.current_card().id == later.id
    assert london_date(later.created_at) >= date(2021, 1, 1)
