"""When agency cover can be asked for: the answers and pages say when the bank-only window ends, and the
"Request agency cover" button shows only when a request is possible.

The clock stands at Mon 2 Nov 2026 09:00 GMT; shifts start Thu 5 Nov 08:00 (over 24 h away, so not urgent).
"""
from datetime import timedelta

import pytest

from bankapp.cascade.services import cover_outlook, request_cascade
from bankapp.extensions import db
from tests.factories import PASSWORD, london

from .conftest import NOW


@pytest.fixture
def login(client):
    def as_user(user):
        client.post("/logout")
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        return client

    return as_user


def _opened(shift_maker, hours_ago):
    return shift_maker(opened_at=london(NOW) - timedelta(hours=hours_ago),
                       posted_days_ago=10)  # created long ago: the window runs from opening, not creation


def test_a_refusal_inside_the_window_says_when_it_ends(world, api, shift_maker):
    shift = _opened(shift_maker, hours_ago=24)
    resp = api(world.coordinator_a).post(f"/api/v1/shifts/{shift.id}/cascade", json={"reason": "Nobody yet"})
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["bank_only_until"] == "2026-11-03T09:00:00+00:00"
    assert [r["code"] for r in body["reasons"]] == ["cascade_too_early"]
    assert "Tue 3 Nov 09:00" in body["reasons"][0]["message"]


def test_the_cascade_request_answer_says_when_the_window_ended(world, api, shift_maker):
    shift = _opened(shift_maker, hours_ago=50)
    resp = api(world.coordinator_a).post(f"/api/v1/shifts/{shift.id}/cascade", json={"reason": "No claims"})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["bank_only_until"] == "2026-11-02T07:00:00+00:00"
    listed = api(world.approver_a).get("/api/v1/cascade-requests").get_json()["items"]
    assert listed[0]["bank_only_until"] == "2026-11-02T07:00:00+00:00"


def test_the_outlook_follows_the_window_the_pending_request_and_the_status(world, shift_maker):
    early, due = _opened(shift_maker, hours_ago=1), _opened(shift_maker, hours_ago=48)
    assert not cover_outlook(early).possible and "until Wed 4 Nov 08:00" in cover_outlook(early).why_not
    assert cover_outlook(due).possible and cover_outlook(due).bank_only_until == london("2026-11-02T09:00")
    request_cascade(due, actor=world.coordinator_a, reason="No claims")
    db.session.commit()
    pending = cover_outlook(due)
    assert not pending.possible and pending.pending is not None and "awaits an approver" in pending.why_not


def test_the_manage_page_shows_the_button_only_when_a_request_is_possible(world, login, shift_maker):
    early, due = _opened(shift_maker, hours_ago=1), _opened(shift_maker, hours_ago=49)
    page = login(world.coordinator_a)
    html = page.get(f"/coordinator/shifts/{early.id}").get_data(as_text=True)
    assert 'id="request-cover"' not in html and "to itself until Wed 4 Nov 08:00" in html
    html = page.get(f"/coordinator/shifts/{due.id}").get_data(as_text=True)
    assert 'id="request-cover"' in html and f"/coordinator/shifts/{due.id}/cascade" in html
    page.post(f"/coordinator/shifts/{due.id}/cascade", data={"reason": "No claims in 2 days"})
    html = page.get(f"/coordinator/shifts/{due.id}").get_data(as_text=True)
    assert 'id="request-cover"' not in html and "awaits an approver" in html


def test_the_request_page_offers_no_form_inside_the_window(world, login, shift_maker):
    early = _opened(shift_maker, hours_ago=1)
    html = login(world.coordinator_a).get(f"/coordinator/shifts/{early.id}/cascade").get_data(as_text=True)
    assert 'name="reason"' not in html and 'id="cover-not-yet"' in html and "Wed 4 Nov 08:00" in html


def test_the_agency_cover_page_lists_open_shifts_with_when_each_may_go(world, login, shift_maker):
    early, due = _opened(shift_maker, hours_ago=1), _opened(shift_maker, hours_ago=49)
    html = login(world.coordinator_a).get("/coordinator/agency-offers").get_data(as_text=True)
    assert f"/coordinator/shifts/{due.id}/cascade" in html
    assert f"/coordinator/shifts/{early.id}/cascade" not in html and "Bank only until Wed 4 Nov 08:00" in html
