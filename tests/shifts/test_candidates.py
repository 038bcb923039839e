"""The coordinator's "Book a doctor" (a search, those who can take the shift first, reasons about the doctor by
name) and "Text doctors who can take this shift" (a count first, the alert's rules, each doctor once)."""
from datetime import UTC, datetime, timedelta
from html import unescape

import time_machine

from bankapp.audit.models import AuditEvent
from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage, SmsOptOut
from tests.factories import PASSWORD, make_booking, make_shift

from .conftest import NOW, booked, post


def login(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def people(market, factory):
    """Doctors of every sort around a Monday 5 Oct 08:00-18:00 shift at site A."""
    doctors = {
        "ready": factory.doctor("ST3", name="Dr Ada Ready", sms_opt_in=True),
        "senior": factory.doctor("CONS", name="Dr Ben Senior", sms_opt_in=True),
        "tired": factory.doctor("ST3", name="Dr Cal Tired", sms_opt_in=True),
        "junior": factory.doctor("FY1", name="Dr Dee Junior", sms_opt_in=True),
        "lapsing": factory.doctor("ST3", name="Dr Eve Lapsing", sms_opt_in=True, expires_in_days=20),
        "quiet": factory.doctor("ST3", name="Dr Fay Quiet", sms_opt_in=False),
        "same_name": factory.doctor("ST3", name="Dr Ada Ready", sms_opt_in=True, sites=[market.site_b]),
    }
    db.session.commit()
    booked(market, doctors["tired"], "2026-10-04T14:00", "2026-10-04T23:00", department=market.dept_b)
    worked = make_shift(department=market.dept_b, grade=market.grades["ST3"], start=NOW - timedelta(days=3),
                        end=NOW - timedelta(days=3) + timedelta(hours=8), posted_by=market.coordinator_b,
                        status="completed")
    make_booking(worked, doctors["ready"], status="completed")
    db.session.commit()
    return doctors


def test_candidates_come_those_who_can_first_with_what_tells_them_apart(market, api, factory):
    doctors = people(market, factory)
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T18:00")
    resp = api(market.coordinator_a).get(f"/api/v1/shifts/{shift['id']}/candidates")
    assert resp.status_code == 200
    items = {item["doctor_id"]: item for item in resp.get_json()["items"]}
    order = [item["doctor_id"] for item in resp.get_json()["items"]]
    can = [d.id for d in (doctors["ready"], doctors["senior"], doctors["quiet"])]
    assert set(order[:4]) == {*can, market.doctor.id} and all(items[i]["can_assign"] for i in can)
    tired = items[doctors["tired"].id]
    assert (tired["can_assign"], tired["can_override"]) == (False, True)
    assert tired["reasons"][0]["message"].startswith("Dr Cal Tired would have only 9 hours' rest after their shift "
                                                     "at Beta Hospital ending Sun 4 Oct 23:00")
    assert order.index(doctors["tired"].id) < order.index(doctors["junior"].id)
    lapsing = items[doctors["lapsing"].id]
    assert not lapsing["can_override"] and lapsing["reasons"][0]["message"].startswith("Dr Eve Lapsing's GMC licence")
    assert items[doctors["same_name"].id]["reasons"][0]["message"] == (
        "Dr Ada Ready is not set up to work at Alpha Hospital. Please contact medical staffing.")
    ready = items[doctors["ready"].id]
    assert ready["grade"] == "ST3" and ready["gmc_number"] == doctors["ready"].doctor_profile.gmc_number
    assert ready["home_site"] == "Beta Hospital"
    assert ready["last_worked"] == {"start": "2026-08-29T10:00:00+01:00", "site": "Beta Hospital"}
    assert items[doctors["same_name"].id]["home_site"] == "Beta Hospital"  # their one site
    assert items[doctors["senior"].id]["last_worked"] is None


def test_candidates_search_by_name_or_gmc_number(market, api, factory):
    doctors = people(market, factory)
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T18:00")
    coordinator = api(market.coordinator_a)

    def found(q):
        items = coordinator.get(f"/api/v1/shifts/{shift['id']}/candidates", query_string={"q": q}).get_json()["items"]
        return {item["doctor_id"] for item in items}

    assert found("ada ready") == {doctors["ready"].id, doctors["same_name"].id}
    assert found(doctors["junior"].doctor_profile.gmc_number) == {doctors["junior"].id}
    assert found("nobody by this name") == set()


def test_candidates_are_for_the_sites_coordinators(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T18:00")
    assert api(market.coordinator_b).get(f"/api/v1/shifts/{shift['id']}/candidates").status_code == 404
    assert api(market.doctor).get(f"/api/v1/shifts/{shift['id']}/candidates").status_code == 403
    assert api(market.admin).get(f"/api/v1/shifts/{shift['id']}/candidates").status_code == 200


def test_the_page_searches_and_books_with_one_button(market, api, client, factory):
    doctors = people(market, factory)
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T18:00")
    login(client, market.coordinator_a)
    page = unescape(client.get(f"/coordinator/shifts/{shift['id']}").get_data(as_text=True))
    assert "Dr Cal Tired would have only 9 hours' rest" in page and "Book with a written reason: Dr Cal Tired" in page
    assert "Book Dr Dee Junior" not in page and "This shift needs grade ST3 or above; Dr Dee Junior's is FY1." in page
    narrowed = unescape(client.get(f"/coordinator/shifts/{shift['id']}?q=Senior").get_data(as_text=True))
    assert "Dr Ben Senior" in narrowed and "Dr Ada Ready" not in narrowed
    resp = client.post(f"/coordinator/shifts/{shift['id']}/assign", data={"doctor_id": doctors["senior"].id})
    assert resp.status_code == 302
    assert "Dr Ben Senior is booked on this shift." in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_the_page_books_over_working_time_limits_with_a_reason(market, api, client, factory):
    doctors = people(market, factory)
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T18:00")
    login(client, market.coordinator_a)
    resp = client.post(f"/coordinator/shifts/{shift['id']}/assign", data={"doctor_id": doctors["tired"].id})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Dr Cal Tired cannot take this shift" in html
    assert 'name="override_reason"' in html and "Book Dr Cal Tired anyway" in html
    resp = client.post(f"/coordinator/shifts/{shift['id']}/assign", data={
        "doctor_id": doctors["tired"].id, "override_reason": "Only registrar free; ward unsafe without one"})
    assert resp.status_code == 302


def invited(shift_id):
    return sorted(db.session.execute(db.select(OutboxMessage.user_id).where(
        OutboxMessage.kind == "shift_invite", OutboxMessage.dedupe_key.like(f"shift-invite:{shift_id}:%"))).scalars())


def test_invite_texts_those_who_can_take_it_and_take_texts_once_each(market, api, factory):
    doctors = people(market, factory)
    stopped = factory.doctor("ST3", sms_opt_in=True, name="Dr Gus Stopped")
    db.session.add(SmsOptOut(number=stopped.mobile))
    db.session.commit()
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T18:00")
    coordinator = api(market.coordinator_a)
    resp = coordinator.post(f"/api/v1/shifts/{shift['id']}/invite", json={"message": "Ward 5 is short tonight"})
    assert resp.status_code == 200
    expected = sorted([doctors["ready"].id, doctors["senior"].id])  # tired: rest; the rest: rules or no texts
    assert resp.get_json()["queued"] == 2 and invited(shift["id"]) == expected
    body = db.session.execute(db.select(OutboxMessage.body).filter_by(kind="shift_invite")).scalars().first()
    assert body.startswith("Staff Bank: Ward 5 is short tonight - ST3 shift at Alpha Hospital, Mon 5 Oct 08:00-18:00")
    assert body.endswith("Reply STOP to opt out")
    again = coordinator.post(f"/api/v1/shifts/{shift['id']}/invite", json={})
    assert again.get_json()["queued"] == 0 and invited(shift["id"]) == expected
    audit = db.session.execute(db.select(AuditEvent).filter_by(action="shift.invited")).scalars().all()
    assert [a.after["queued"] for a in audit] == [2, 0] and audit[0].after["message"] == "Ward 5 is short tonight"


def test_invite_counts_towards_the_daily_cap_and_waits_out_quiet_hours(app, market, factory, api, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_SHIFT_ALERTS_PER_DOCTOR_PER_DAY", 1)
    ready = factory.doctor("ST3", name="Dr Ada Ready", sms_opt_in=True)
    first, second = (make_shift(department=market.dept_a, grade=market.grades["ST3"], start=f"2026-10-0{d}T08:00",
                                end=f"2026-10-0{d}T18:00", posted_by=market.coordinator_a) for d in (5, 7))
    db.session.commit()
    coordinator = api(market.coordinator_a)
    with time_machine.travel(datetime(2026, 9, 1, 20, 30, tzinfo=UTC)):  # 21:30 BST: quiet hours
        resp = coordinator.post(f"/api/v1/shifts/{first.id}/invite", json={})
        assert resp.get_json() == {"queued": 1, "send_after": "2026-09-02T08:00:00+01:00"}
        assert invited(first.id) == [ready.id]
        assert coordinator.post(f"/api/v1/shifts/{second.id}/invite", json={}).get_json()["queued"] == 0  # capped


def test_invite_refuses_a_shift_that_cannot_be_booked(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T18:00")
    api(market.doctor).post(f"/api/v1/shifts/{shift['id']}/claim")
    resp = api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/invite", json={})
    assert resp.status_code == 409 and resp.get_json()["detail"] == "This shift has already been booked."
    assert api(market.coordinator_b).post(f"/api/v1/shifts/{shift['id']}/invite", json={}).status_code == 404


def test_the_page_shows_the_count_before_sending(market, api, client, factory):
    doctors = people(market, factory)
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T18:00")
    login(client, market.coordinator_a)
    page = client.get(f"/coordinator/shifts/{shift['id']}").get_data(as_text=True)
    assert "2 doctors who can take this shift now and take texts will get one." in page and "Text 2 doctors" in page
    assert invited(shift["id"]) == []
    resp = client.post(f"/coordinator/shifts/{shift['id']}/invite", data={"message": "Any help welcome"},
                       follow_redirects=True)
    assert "2 doctors texted about this shift." in resp.get_data(as_text=True)
    assert invited(shift["id"]) == sorted([doctors["ready"].id, doctors["senior"].id])
    after = client.get(f"/coordinator/shifts/{shift['id']}").get_data(as_text=True)
    assert "No doctor who takes texts can take this shift now" in after
    too_long = client.post(f"/coordinator/shifts/{shift['id']}/invite", data={"message": "x" * 301})
    assert too_long.status_code == 422 and "Keep the note to 300 characters." in too_long.get_data(as_text=True)
