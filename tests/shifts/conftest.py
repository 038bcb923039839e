"""Marketplace fixtures: the small trust with a rate card, and helpers to post and book."""
from datetime import UTC, datetime

import pytest
import time_machine

from bankapp.events import subscribe
from bankapp.extensions import db
from tests.factories import london, make_booking, make_shift
from tests.rates.cards import make_card

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    """Marketplace tests run on Tue 1 Sep 2026 (time flows), before both clock changes they test."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def market(world):
    """The world plus a rate card in force since 2020."""
    make_card(world.admin)
    db.session.commit()
    return world


@pytest.fixture
def events():
    """Every shift/booking event emitted during the test, as (name, payload)."""
    seen = []
    names = ("shift.opened", "shift.booked", "shift.cancelled", "booking.cancelled")
    handlers = []
    for name in names:
        def handler(_name=name, **payload):
            seen.append((_name, payload))

        handlers.append((name, subscribe(name)(handler)))
    yield seen
    from bankapp import events as events_module

    for name, handler in handlers:
        events_module._subscribers[name].remove(handler)


def booked(world, doctor, start, end, *, department=None, grade="ST3"):
    """An existing booking for ``doctor`` (times in London wall clock or with an offset)."""
    shift = make_shift(department=department or world.dept_a, grade=world.grades[grade], start=start, end=end,
                       posted_by=world.coordinator_a)
    booking = make_booking(shift, doctor)
    db.session.commit()
    return booking


def shift_body(world, start, end, *, department=None, grade="ST3", **extra):
    return {"department_id": (department or world.dept_a).id, "grade": grade, "start": start, "end": end, **extra}


def post(api, world, start, end, *, coordinator=None, **kw):
    """Post a shift through the API as the site's coordinator; returns the JSON (asserts 201)."""
    department = kw.get("department") or world.dept_a
    coordinator = coordinator or (world.coordinator_a if department.site_id == world.site_a.id
                                  else world.coordinator_b)
    resp = api(coordinator).post("/api/v1/shifts", json=shift_body(world, start, end, **kw))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


__all__ = ["booked", "london", "post", "shift_body"]
