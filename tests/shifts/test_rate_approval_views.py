"""Rate approval pages: the approvers' queue and the coordinator's returned rates."""

from bankapp.extensions import db
from bankapp.rates.models import RateViolation
from bankapp.shifts.models import Shift
from tests.factories import PASSWORD
from tests.shifts.test_rate_approval_api import _post, _setup


def _login(client, user):
    resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 302, resp.data



def test_approver_approves_from_the_queue(world, client, api):
    _setup(world)
    shift = _post(api, world, "70.00")
    _login(client, world.approver_a)
    home = client.get("/").get_data(as_text=True)
    assert "1 rate is waiting for your approval" in home
    page = client.get("/rate-violations").get_data(as_text=True)
    assert "Nobody claimed it at card rate" in page and "16.67% over" in page and "£560.00" in page
    v = shift["rate_violation"]["id"]
    resp = client.post(f"/rate-violations/{v}/decide", data={"decision": "approve", f"note-{v}": "Winter pressure"})
    assert resp.status_code == 302
    assert db.session.get(Shift, shift["id"]).status == "open"
    assert "Rate approved" in client.get("/rate-violations").get_data(as_text=True)


def test_reject_without_a_note_shows_the_error_by_the_note(world, client, api):
    _setup(world)
    v = _post(api, world, "70.00")["rate_violation"]["id"]
    _login(client, world.approver_a)
    resp = client.post(f"/rate-violations/{v}/decide", data={"decision": "reject"})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert f'href="#note-{v}"' in page and "Say why the rate is rejected." in page


def test_executive_only_violation_is_not_offered_to_an_approver(world, client, api):
    _setup(world)
    v = _post(api, world, "80.00")["rate_violation"]["id"]
    _login(client, world.approver_a)
    page = client.get("/rate-violations").get_data(as_text=True)
    assert "Waiting for someone else" in page and f'action="/rate-violations/{v}/decide"' not in page
    resp = client.post(f"/rate-violations/{v}/decide", data={"decision": "approve"}, follow_redirects=True)
    assert "needs an executive" in resp.get_data(as_text=True)
    assert db.session.get(RateViolation, v).status == "pending"


def test_coordinator_revises_a_returned_rate(world, client, api):
    _setup(world)
    shift = _post(api, world, "70.00")
    v = shift["rate_violation"]["id"]
    api(world.approver_a).post(f"/api/v1/rate-violations/{v}/reject", json={"note": "Use the card"})
    _login(client, world.coordinator_a)
    assert "rejected and returned to you" in client.get("/").get_data(as_text=True)
    page = client.get("/rate-violations/returned").get_data(as_text=True)
    assert "Use the card" in page
    bad = client.post(f"/rate-violations/{v}/revise", data={f"hourly_rate-{v}": "abc"})
    assert bad.status_code == 422 and f'href="#hourly_rate-{v}"' in bad.get_data(as_text=True)
    ok = client.post(f"/rate-violations/{v}/revise", data={f"hourly_rate-{v}": ""}, follow_redirects=True)
    assert "open at the revised rate" in ok.get_data(as_text=True)
    assert db.session.get(Shift, shift["id"]).status == "open"


def test_home_shows_the_rate_approvals_section_once_to_an_approver_who_is_also_an_executive(world, client, factory):
    both = factory.user(("approver", "executive"), sites=[world.site_a], name="Approver Executive")
    db.session.commit()
    for person in (both, world.executive, world.approver_a):
        _login(client, person)
        home = client.get("/").get_data(as_text=True)
        assert home.count('id="rates-home-heading"') == 1, person.name
        client.post("/logout")
