"""The admin audit log page: search by entity, actor, action and period; readable diffs."""
from datetime import UTC, datetime

from bankapp.audit.services import record_audit
from bankapp.extensions import db
from tests.factories import PASSWORD


def _login(client, user):
    resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 302


def _event(action, entity_type, entity_id, actor=None, at=None, before=None, after=None):
    event = record_audit(action, entity_type, entity_id, actor=actor, before=before, after=after)
    if at:
        event.at = at
    db.session.commit()
    return event


def test_only_admins_see_the_audit_log(client, world):
    _login(client, world.doctor)
    assert client.get("/admin/audit").status_code == 403
    client.post("/logout")
    _login(client, world.coordinator_a)
    assert client.get("/admin/audit").status_code == 403


def test_anonymous_is_sent_to_login(client):
    resp = client.get("/admin/audit")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_admin_sees_events_newest_first_with_readable_changes(client, world):
    _event("shift.rate_changed", "shift", 41, actor=world.coordinator_a,
           before={"hourly_rate": "80.00", "status": "open"}, after={"hourly_rate": "95.00", "status": "open"})
    _login(client, world.admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "shift.rate_changed · shift 41" in html
    assert "Coordinator A" in html
    assert "hourly rate" in html and "80.00" in html and "95.00" in html
    # Newest first: our event comes before the set-up events of the world.
    assert html.index("shift.rate_changed") < html.index("user.created")
    assert 'aria-current="page"' in html and "Audit log" in html


def test_search_by_entity(client, world):
    _event("shift.cancelled", "shift", 7, actor=world.coordinator_a)
    _event("shift.cancelled", "shift", 8, actor=world.coordinator_a)
    _login(client, world.admin)
    html = client.get("/admin/audit?entity_type=shift&entity_id=7").get_data(as_text=True)
    assert "shift.cancelled · shift 7" in html
    assert "shift 8" not in html


def test_search_by_actor_email_part_and_action_prefix(client, world):
    _event("timesheet.approved", "timesheet", 1, actor=world.approver_a)
    _event("timesheet.rejected", "timesheet", 2, actor=world.approver_b)
    _event("shift.posted", "shift", 3, actor=world.approver_a)
    _login(client, world.admin)
    email_part = world.approver_a.email.split("@")[0].upper()
    html = client.get(f"/admin/audit?actor={email_part}&action=timesheet.").get_data(as_text=True)
    assert "timesheet.approved" in html
    assert "timesheet.rejected" not in html and "shift.posted" not in html


def test_wildcards_in_the_search_are_taken_literally(client, world):
    _event("shift.posted", "shift", 3, actor=world.approver_a)
    _login(client, world.admin)
    html = client.get("/admin/audit?action=%25").get_data(as_text=True)
    assert "No events match this search." in html


def test_search_by_london_period_is_inclusive(client, world):
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (BST).
    _event("a.june", "thing", 1, at=datetime(2026, 5, 31, 23, 30, tzinfo=UTC))
    _event("a.may", "thing", 2, at=datetime(2026, 5, 31, 22, 30, tzinfo=UTC))
    _event("a.july", "thing", 3, at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    _login(client, world.admin)
    html = client.get("/admin/audit?from=2026-06-01&to=2026-06-30").get_data(as_text=True)
    assert "a.june" in html and "a.may" not in html and "a.july" not in html
    html = client.get("/admin/audit?from=2026-05-31&to=2026-05-31").get_data(as_text=True)
    assert "a.may" in html and "a.june" not in html


def test_bad_dates_are_shown_next_to_the_field(client, world):
    _login(client, world.admin)
    resp = client.get("/admin/audit?from=2026-13-01")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "There is a problem" in html and 'href="#from"' in html and "Enter a real date" in html
    html = client.get("/admin/audit?from=2026-06-02&to=2026-06-01").get_data(as_text=True)
    assert "The end date must be on or after the start date." in html


def test_pages_follow_on_with_the_filters_kept(client, world):
    for i in range(30):
        _event("bulk.thing", "thing", i)
    _login(client, world.admin)
    html = client.get("/admin/audit?action=bulk").get_data(as_text=True)
    assert html.count("bulk.thing · thing") == 25
    next_url = html.split('rel="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "action=bulk" in next_url and "cursor=" in next_url
    html = client.get(next_url).get_data(as_text=True)
    assert html.count("bulk.thing · thing") == 5
    assert "thing 0" in html
