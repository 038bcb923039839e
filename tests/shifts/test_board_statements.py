"""Shift lists run a constant number of SQL statements, whatever the number of shifts (no query per shift).

Counted with SQLAlchemy's ``before_cursor_execute`` event on a fresh session
(as in a real request), so the figures are deterministic, not timed.
"""
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import event

from bankapp.extensions import db
from bankapp.rates.models import RateViolation
from tests.factories import PASSWORD, make_booking, make_shift
from tests.rates.cards import make_card

from .conftest import NOW

# Upper bounds: authentication and the page's furniture included. The real
# guarantee is that 5 and 40 shifts cost the same.
API_BOUND = 8
PAGE_BOUND = 16


@contextmanager
def counting():
    """Statements sent to the database in the block, every loaded row expired first (as a new request finds them)."""
    db.session.commit()
    db.session.expire_all()
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def add_shifts(world, count, *, first=0, booked_every=0):
    """``count`` claimable shifts from 2 days ahead: both sites, two grades, every third at a flat rate
    (every sixth with an approved rate violation); with ``booked_every``, every n-th booked. Two cards: the
    later one prices them all."""
    if first == 0:
        make_card(world.admin, date(2019, 1, 1), bump=-5)
    for i in range(first, first + count):
        start = NOW + timedelta(days=2, hours=7 * i)
        flat = Decimal("75.00") if i % 3 == 0 else None
        shift = make_shift(department=world.dept_a if i % 2 else world.dept_b,
                           grade=world.grades["ST3" if i % 4 else "FY1"], start=start, end=start + timedelta(hours=6),
                           posted_by=world.coordinator_a, hourly_rate=flat)
        if flat is not None and i % 6 == 0:
            db.session.add(RateViolation(shift_id=shift.id, status="approved", required_role="approver",
                                         percent_over=Decimal("7.50"), flat_rate=flat, flat_total=Decimal("450.00"),
                                         card_total=Decimal("418.60"), requested_by_id=world.coordinator_a.id))
        if booked_every and i % booked_every == 0:
            make_booking(shift, world.doctor)
    db.session.commit()


def login(client, email):
    resp = client.post("/login", data={"email": email, "password": PASSWORD})
    assert resp.status_code == 302


def bearer(user):
    from bankapp.auth.services import issue_token

    token, _ = issue_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def statements_for(client, path, headers=None):
    """(statements, response) of a GET, after one uncounted GET (a token's first use of the minute is recorded)."""
    client.get(path, headers=headers or {})
    with counting() as seen:
        resp = client.get(path, headers=headers or {})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return len(seen), resp


def test_board_api_costs_the_same_for_5_and_40_shifts(market, client):
    doctor = bearer(market.doctor)
    add_shifts(market, 5)
    few, resp = statements_for(client, "/api/v1/shifts?status=open&limit=50", doctor)
    assert len(resp.get_json()["items"]) == 5
    add_shifts(market, 35, first=5)
    many, resp = statements_for(client, "/api/v1/shifts?status=open&limit=50", doctor)
    items = resp.get_json()["items"]
    assert len(items) == 40 and all(item["pay_estimate"] for item in items)
    assert sum(item["rate_violation"] is not None for item in items) == 7
    assert many == few <= API_BOUND


def test_board_page_costs_the_same_for_5_and_40_shifts(market, client):
    login(client, market.doctor.email)
    add_shifts(market, 5)
    few, resp = statements_for(client, "/shifts")
    assert "All open shifts (5)" in resp.get_data(as_text=True)
    add_shifts(market, 35, first=5)
    many, resp = statements_for(client, "/shifts")
    html = resp.get_data(as_text=True)
    assert "All open shifts (40)" in html and html.count('class="nhsuk-card app-shift-card"') == 25
    assert many == few <= PAGE_BOUND


def test_coordinator_list_with_bookings_costs_the_same_for_5_and_40_shifts(market, client):
    coordinator = bearer(market.admin)
    add_shifts(market, 5, booked_every=2)
    few_api, _ = statements_for(client, "/api/v1/shifts?limit=50", coordinator)
    login(client, market.admin.email)
    few_page, _ = statements_for(client, "/coordinator/shifts")
    add_shifts(market, 35, first=5, booked_every=2)
    many_api, resp = statements_for(client, "/api/v1/shifts?limit=50", coordinator)
    assert sum(item["status"] == "booked" for item in resp.get_json()["items"]) == 20
    many_page, resp = statements_for(client, "/coordinator/shifts")
    assert resp.get_data(as_text=True).count("Dr Default") == 13
    assert many_api == few_api <= API_BOUND
    assert many_page == few_page <= PAGE_BOUND


def test_my_bookings_list_costs_the_same_for_few_and_many(market, client):
    doctor = bearer(market.doctor)
    add_shifts(market, 5, booked_every=1)
    few, _ = statements_for(client, "/api/v1/bookings", doctor)
    add_shifts(market, 35, first=5, booked_every=1)
    many, resp = statements_for(client, "/api/v1/bookings", doctor)
    assert len(resp.get_json()["items"]) == 40
    assert many == few <= API_BOUND
