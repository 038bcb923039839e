"""Separation of duties in the cascade: nobody decides their own request for agency cover, nor
approves (or declines) an over-cap, off-framework or above-£100 offer they accepted themselves.
The API answers 403 with the one reason ``own_request``; the pages hide the decide buttons and
say why in plain English."""
import pytest

from bankapp.cascade.models import AgencyOffer, CascadeRequest
from bankapp.extensions import db
from bankapp.shifts.models import Shift
from tests.cascade.conftest import offer_body
from tests.factories import PASSWORD


def _codes(resp):
    return [r["code"] for r in resp.get_json()["reasons"]]


def _at_site_a(world, factory, roles, name):
    user = factory.user(roles, sites=[world.site_a], name=name)
    db.session.commit()
    return user


@pytest.fixture
def both(world, factory):
    """A coordinator who is also an approver at site A."""
    return _at_site_a(world, factory, ("coordinator", "approver"), "Coordinator-approver")


@pytest.fixture
def own_request(world, api, both, shift_maker):
    shift = shift_maker()
    resp = api(both).post(f"/api/v1/shifts/{shift.id}/cascade", json={"reason": "Nobody has claimed it"})
    assert resp.status_code == 201
    return resp.get_json()


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_nobody_decides_their_own_cascade_request(world, api, both, own_request, action):
    resp = api(both).post(f"/api/v1/cascade-requests/{own_request['id']}/{action}", json={"note": "Fine"})
    assert resp.status_code == 403 and _codes(resp) == ["own_request"]
    assert resp.get_json()["reasons"][0]["message"] == \
        "You made this request for agency cover: someone else must decide it."
    assert db.session.get(CascadeRequest, own_request["id"]).status == "pending_approval"
    assert db.session.get(Shift, own_request["shift_id"]).status == "open"


def test_another_approver_of_the_site_decides_it(world, api, own_request):
    resp = api(world.approver_a).post(f"/api/v1/cascade-requests/{own_request['id']}/approve", json={})
    assert resp.status_code == 200 and resp.get_json()["status"] == "approved"


def _login(client, user):
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_the_queue_hides_the_buttons_from_the_requester_and_a_forced_post_is_explained(world, client, both,
                                                                                        own_request):
    page = _login(client, both)
    html = page.get("/cascade-requests").get_data(as_text=True)
    assert "You asked for this cover: another approver of the site must decide it." in html
    assert f"/cascade-requests/{own_request['id']}/approve" not in html
    resp = page.post(f"/cascade-requests/{own_request['id']}/approve", data={"note": ""})
    assert resp.status_code == 302
    assert "You made this request for agency cover: someone else must decide it." in \
        page.get(resp.location).get_data(as_text=True)
    assert db.session.get(CascadeRequest, own_request["id"]).status == "pending_approval"
    other = _login(client, world.approver_a).get("/cascade-requests").get_data(as_text=True)
    assert f"/cascade-requests/{own_request['id']}/approve" in other


@pytest.fixture
def coordinator_executive(world, factory):
    """A coordinator at site A who also sits on the executive (and so could break glass)."""
    return _at_site_a(world, factory, ("coordinator", "executive"), "Medical director")


@pytest.fixture
def accepted_by_themselves(world, api, released, coordinator_executive):
    shift = released()
    offer = api(world.agency_user1).post(f"/api/v1/shifts/{shift.id}/agency-offers",
                                         json=offer_body(charge_rate="95.00")).get_json()
    resp = api(coordinator_executive).post(f"/api/v1/agency-offers/{offer['id']}/accept")
    assert resp.get_json()["status"] == "pending_executive_approval"
    return offer


@pytest.mark.parametrize("action", ["approve", "decline"])
def test_nobody_breaks_glass_on_an_offer_they_accepted(world, api, coordinator_executive, accepted_by_themselves,
                                                       action):
    offer = accepted_by_themselves
    resp = api(coordinator_executive).post(f"/api/v1/agency-offers/{offer['id']}/{action}",
                                           json={"reason": "Patient safety"})
    assert resp.status_code == 403 and _codes(resp) == ["own_request"]
    assert db.session.get(AgencyOffer, offer["id"]).status == "pending_executive_approval"
    ok = api(world.executive).post(f"/api/v1/agency-offers/{offer['id']}/{action}", json={"reason": "Safety"})
    assert ok.status_code == 200


def test_the_approval_page_hides_the_buttons_from_the_executive_who_accepted(world, client, coordinator_executive,
                                                                             accepted_by_themselves):
    offer = accepted_by_themselves
    page = _login(client, coordinator_executive)
    listing = page.get("/agency-approvals").get_data(as_text=True)
    assert "You accepted it: another executive decides" in listing
    html = page.get(f"/agency-approvals/{offer['id']}").get_data(as_text=True)
    assert "You accepted this offer: another executive must decide it." in html
    assert 'value="approve"' not in html and 'value="decline"' not in html
    resp = page.post(f"/agency-approvals/{offer['id']}", data={"reason": "Safety", "action": "approve"})
    assert resp.status_code == 422
    assert "someone else must decide it" in resp.get_data(as_text=True)
    assert db.session.get(AgencyOffer, offer["id"]).status == "pending_executive_approval"
