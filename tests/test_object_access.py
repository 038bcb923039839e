"""Object-level access: whose rows a caller may read or change, beyond what the role allows.

- Doctor A cannot read, change or guess doctor B's booking, timesheet, pay, documents, data
  export or calendar feed: another doctor's row answers exactly like a row that does not exist
  (404, same problem body), so ids leak nothing.
- An agency sees only shifts released to its tier, and only its own offers.
- A coordinator (or approver) of site B cannot act on site A's shifts, rate violations or
  timesheets, and nothing changes when they try.
"""
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import g

from bankapp.extensions import db
from bankapp.shifts.models import Shift
from bankapp.timeutil import format_london, now_utc
from tests.factories import PASSWORD, make_booking, make_shift
from tests.rates.cards import make_card

MISSING = 999_999


def _hour(dt):
    return dt.replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def trust(world, factory):
    """Site A with: doctor B's future booking, B's approved (paid) timesheet, B's submitted one,
    an open shift, a shift released to tier 1, and a rate violation waiting for an approver."""
    from bankapp.cascade.services import approve_cascade, request_cascade
    from bankapp.shifts.services import post_shift
    from bankapp.timesheets.services import approve_timesheet, submit_timesheet

    world.card = make_card(world.admin)
    world.doctor_b = factory.doctor("ST3", name="Dr Beatrice Other")
    st3, now = world.grades["ST3"], _hour(now_utc())

    def shift(start, hours=10, **kw):
        return make_shift(department=world.dept_a, grade=st3, start=start, end=start + timedelta(hours=hours),
                          posted_by=world.coordinator_a, created_at=now - timedelta(days=3), **kw)

    world.b_booking = make_booking(shift(now + timedelta(days=10)), world.doctor_b)
    paid = make_booking(shift(now - timedelta(days=4), 8), world.doctor_b)
    world.b_paid = submit_timesheet(paid, actor=world.doctor_b, actual_start=paid.shift.start_at,
                                    actual_end=paid.shift.end_at)
    approve_timesheet(world.b_paid, actor=world.approver_a)
    waiting = make_booking(shift(now - timedelta(days=2), 8), world.doctor_b)
    world.b_submitted = submit_timesheet(waiting, actor=world.doctor_b, actual_start=waiting.shift.start_at,
                                         actual_end=waiting.shift.end_at)
    world.b_unsubmitted = make_booking(shift(now - timedelta(days=1), 8), world.doctor_b)
    world.open_shift = shift(now + timedelta(days=12))
    world.released = shift(now + timedelta(days=14))
    approve_cascade(request_cascade(world.released, actor=world.coordinator_a, reason="Unfilled"),
                    actor=world.approver_a)
    start = now + timedelta(days=20)
    world.held = post_shift(actor=world.coordinator_a, department=world.dept_a, grade=st3, start=start,
                            end=start + timedelta(hours=10), hourly_rate=Decimal("500.00"), reason="Winter")
    world.violation = world.held.rate_violations[-1]
    db.session.commit()
    return world


class Pages:
    """A logged-in browser session for one user.

    Each request drops ``g._login_user`` first: test-client requests reuse the test's app context,
    and Flask-Login caches the user there, so another client's user would otherwise answer.
    """

    def __init__(self, app, user):
        self.client = app.test_client()
        self.request("post", "/login", data={"email": user.email, "password": PASSWORD})

    def request(self, method, url, **kw):
        g.pop("_login_user", None)
        return getattr(self.client, method)(url, **kw)

    def get(self, url, **kw):
        return self.request("get", url, **kw)

    def post(self, url, **kw):
        return self.request("post", url, **kw)


@pytest.fixture
def pages(app):
    return lambda user: Pages(app, user)


def _same_as_missing(make_request, real_id):
    """The response for someone else's row, checked against the one for an id that does not exist."""
    theirs, missing = make_request(real_id), make_request(MISSING)
    assert theirs.status_code == missing.status_code == 404
    if theirs.is_json:
        keep = ("status", "title", "type")
        assert {k: theirs.get_json().get(k) for k in keep} == {k: missing.get_json().get(k) for k in keep}
    return theirs


# --- doctor A and doctor B -------------------------------------------------------------------------


def test_doctor_cannot_read_another_doctors_booking_or_tell_it_exists(trust, api):
    a = api(trust.doctor)
    _same_as_missing(lambda i: a.get(f"/api/v1/bookings/{i}"), trust.b_booking.id)
    listed = a.get("/api/v1/bookings?when=upcoming").get_json()["items"] + \
        a.get("/api/v1/bookings?when=past").get_json()["items"]
    assert listed == []


def test_doctor_cannot_cancel_another_doctors_booking(trust, api, pages):
    shift_id = trust.b_booking.shift_id
    resp = api(trust.doctor).post(f"/api/v1/shifts/{shift_id}/cancel", json={"reason": "Not mine"})
    assert resp.status_code == 404
    assert pages(trust.doctor).post(f"/my-shifts/{trust.b_booking.id}/cancel",
                                    data={"reason": "Not mine"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Shift, shift_id).status == "booked"


def test_doctor_cannot_read_or_amend_another_doctors_timesheet_or_pay(trust, api):
    a = api(trust.doctor)
    for ts in (trust.b_paid, trust.b_submitted):
        times = {"actual_start": format_london(ts.actual_start), "actual_end": format_london(ts.actual_end)}
        _same_as_missing(lambda i: a.get(f"/api/v1/timesheets/{i}"), ts.id)
        _same_as_missing(lambda i, times=times: a.patch(f"/api/v1/timesheets/{i}", json=times), ts.id)
    assert a.get("/api/v1/timesheets").get_json()["items"] == []
    assert api(trust.doctor_b).get(f"/api/v1/timesheets/{trust.b_paid.id}").get_json()["pay"]["total"]


def test_doctor_timesheet_pages_hide_another_doctors_rows(trust, pages):
    a = pages(trust.doctor)
    assert a.get(f"/timesheets/{trust.b_paid.id}").status_code == 404
    assert a.get(f"/timesheets/new?booking_id={trust.b_unsubmitted.id}").status_code == 404
    assert a.post(f"/timesheets/new?booking_id={trust.b_unsubmitted.id}", data={
        "actual_start": "2026-01-01T08:00", "actual_end": "2026-01-01T16:00"}).status_code == 404
    assert a.post(f"/timesheets/{trust.b_submitted.id}/amend", data={
        "actual_start": "2026-01-01T08:00", "actual_end": "2026-01-01T16:00"}).status_code == 404
    mine = a.get("/timesheets").get_data(as_text=True)
    assert "Beatrice" not in mine


def test_doctor_cannot_read_another_doctors_profile_or_documents(trust, api):
    a = api(trust.doctor)
    _same_as_missing(lambda i: a.get(f"/api/v1/users/{i}"), trust.doctor_b.id)
    _same_as_missing(lambda i: a.get(f"/api/v1/users/{i}/documents"), trust.doctor_b.id)
    assert a.post(f"/api/v1/users/{trust.doctor_b.id}/documents",
                  json={"kind": "dbs", "expires_on": "2030-01-01"}).status_code == 403
    assert len(api(trust.doctor_b).get(f"/api/v1/users/{trust.doctor_b.id}/documents").get_json()["items"]) == 5


def test_data_export_holds_nothing_of_another_doctor(trust, api, pages):
    b = trust.doctor_b
    exported = api(trust.doctor).get("/api/v1/me/data").get_data(as_text=True)
    page = pages(trust.doctor).get("/me/data/download").get_data(as_text=True)
    for text in (exported, page):
        assert trust.doctor.email in text
        for secret in (b.email, b.name, b.doctor_profile.esr_assignment_number, b.doctor_profile.calendar_token):
            assert secret not in text


def test_calendar_feed_needs_the_doctors_own_secret(trust, client):
    feed_b = client.get(f"/calendar/{trust.doctor_b.doctor_profile.calendar_token}.ics")
    assert feed_b.status_code == 200 and b"BEGIN:VCALENDAR" in feed_b.data
    token_a = trust.doctor.doctor_profile.calendar_token
    assert len(token_a) >= 24
    feed_a = client.get(f"/calendar/{token_a}.ics")
    assert feed_a.status_code == 200
    assert f"shift-{trust.b_booking.shift_id}".encode() not in feed_a.data
    assert feed_a.data.count(b"BEGIN:VEVENT") == 0
    for guess in (token_a[:-1], token_a.upper(), str(trust.doctor_b.id), "", "x" * 65):
        assert client.get(f"/calendar/{guess}.ics").status_code == 404


def test_my_shifts_shows_only_my_own_calendar_address(trust, pages):
    html = pages(trust.doctor).get("/my-shifts").get_data(as_text=True)
    assert trust.doctor.doctor_profile.calendar_token in html
    assert trust.doctor_b.doctor_profile.calendar_token not in html


# --- agencies and their tier -------------------------------------------------------------------------


def test_agency_sees_only_shifts_released_to_its_tier(trust, api):
    tier1, tier2 = api(trust.agency_user1), api(trust.agency_user2)
    assert [s["id"] for s in tier1.get("/api/v1/agency/shifts").get_json()["items"]] == [trust.released.id]
    assert [s["id"] for s in tier1.get("/api/v1/shifts").get_json()["items"]] == [trust.released.id]
    assert tier2.get("/api/v1/agency/shifts").get_json()["items"] == []
    assert tier2.get("/api/v1/shifts").get_json()["items"] == []
    for shift in (trust.released, trust.open_shift, trust.held):
        _same_as_missing(lambda i: tier2.get(f"/api/v1/shifts/{i}"), shift.id)
    _same_as_missing(lambda i: tier1.get(f"/api/v1/shifts/{i}"), trust.open_shift.id)


def test_agency_never_sees_a_released_shift_once_it_has_started(trust, api, pages, clock):
    clock.move_to(trust.released.start_at + timedelta(minutes=1))
    tier1 = api(trust.agency_user1)
    assert tier1.get("/api/v1/shifts").get_json()["items"] == []
    assert tier1.get("/api/v1/agency/shifts").get_json()["items"] == []
    _same_as_missing(lambda i: tier1.get(f"/api/v1/shifts/{i}"), trust.released.id)
    _same_as_missing(lambda i: tier1.post(f"/api/v1/shifts/{i}/agency-offers", json=_offer()), trust.released.id)
    assert pages(trust.agency_user1).get(f"/agency/shifts/{trust.released.id}/offer").status_code == 404


def _offer(**kw):
    return {"locum_name": "Dr Lena Fischer", "gmc_number": "6543210", "grade": "ST3", "charge_rate": "70.00", **kw}


def test_agency_cannot_offer_outside_its_tier(trust, api, pages):
    tier1, tier2 = api(trust.agency_user1), api(trust.agency_user2)
    _same_as_missing(lambda i: tier2.post(f"/api/v1/shifts/{i}/agency-offers", json=_offer()), trust.released.id)
    _same_as_missing(lambda i: tier1.post(f"/api/v1/shifts/{i}/agency-offers", json=_offer()), trust.open_shift.id)
    assert pages(trust.agency_user2).get(f"/agency/shifts/{trust.released.id}/offer").status_code == 404
    assert pages(trust.agency_user2).post(f"/agency/shifts/{trust.released.id}/offer",
                                          data=_offer()).status_code == 404
    assert "Lena" not in pages(trust.agency_user2).get("/agency").get_data(as_text=True)


def test_agency_sees_only_its_own_offers(trust, api):
    made = api(trust.agency_user1).post(f"/api/v1/shifts/{trust.released.id}/agency-offers", json=_offer())
    assert made.status_code == 201
    assert api(trust.agency_user2).get("/api/v1/agency-offers").get_json()["items"] == []
    assert api(trust.agency_user2).post(f"/api/v1/agency-offers/{made.get_json()['id']}/accept").status_code == 403


# --- the other site's coordinator and approver ---------------------------------------------------------


def test_other_sites_coordinator_cannot_act_on_site_a_shifts(trust, api, pages):
    b = api(trust.coordinator_b)
    shift = trust.open_shift
    _same_as_missing(lambda i: b.get(f"/api/v1/shifts/{i}"), shift.id)
    _same_as_missing(lambda i: b.post(f"/api/v1/shifts/{i}/cancel", json={"reason": "Closing"}), shift.id)
    _same_as_missing(lambda i: b.post(f"/api/v1/shifts/{i}/assign", json={"doctor_id": trust.doctor.id}), shift.id)
    _same_as_missing(lambda i: b.post(f"/api/v1/shifts/{i}/cascade", json={"reason": "Unfilled"}), shift.id)
    page = pages(trust.coordinator_b)
    assert page.get(f"/coordinator/shifts/{shift.id}").status_code == 404
    assert page.post(f"/coordinator/shifts/{shift.id}/cancel", data={"reason": "Closing"}).status_code == 404
    assert page.post(f"/coordinator/shifts/{shift.id}/assign",
                     data={"doctor_id": str(trust.doctor.id)}).status_code == 404
    assert page.post(f"/coordinator/shifts/{shift.id}/cascade", data={"reason": "Unfilled"}).status_code == 404
    assert str(shift.id) not in {str(s["id"]) for s in b.get("/api/v1/shifts").get_json()["items"]}
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).status == "open"
    assert api(trust.doctor).get("/api/v1/bookings?when=upcoming").get_json()["items"] == []


def test_other_sites_coordinator_cannot_post_or_import_at_site_a(trust, api, pages):
    start = _hour(now_utc()) + timedelta(days=30)
    body = {"department_id": trust.dept_a.id, "grade": "ST3", "start": format_london(start),
            "end": format_london(start + timedelta(hours=8))}
    assert api(trust.coordinator_b).post("/api/v1/shifts", json=body).status_code == 403
    csv = f"department,grade,start,end\n{trust.dept_a.id},ST3,{body['start']},{body['end']}\n"
    coordinator_b = api(trust.coordinator_b)
    resp = coordinator_b.client.post("/api/v1/shifts/import", data=csv.encode(),
                                     headers=coordinator_b._headers({"Content-Type": "text/csv"}))
    assert resp.status_code == 422
    assert db.session.execute(db.select(db.func.count(Shift.id)).where(Shift.start_at == start)).scalar() == 0


def test_other_sites_coordinator_and_approver_cannot_touch_site_a_rate_violations(trust, api, pages):
    v = trust.violation
    _same_as_missing(lambda i: api(trust.coordinator_b).get(f"/api/v1/rate-violations/{i}"), v.id)
    _same_as_missing(lambda i: api(trust.coordinator_b).post(f"/api/v1/rate-violations/{i}/revise",
                                                             json={"hourly_rate": None, "reason": "x"}), v.id)
    assert pages(trust.coordinator_b).post(f"/rate-violations/{v.id}/revise").status_code == 404
    for decision in ("approve", "reject"):
        _same_as_missing(lambda i, d=decision: api(trust.approver_b).post(f"/api/v1/rate-violations/{i}/{d}",
                                                                           json={"note": "OK"}), v.id)
    assert v.id not in [x["id"] for x in api(trust.approver_b).get("/api/v1/rate-violations").get_json()["items"]]
    pages(trust.approver_b).post(f"/rate-violations/{v.id}/decide", data={"decision": "approve",
                                                                          f"note-{v.id}": "OK"})
    db.session.expire_all()
    assert db.session.get(type(v), v.id).status == "pending"


def test_other_sites_coordinator_and_approver_cannot_touch_site_a_timesheets(trust, api, pages):
    ts = trust.b_submitted
    _same_as_missing(lambda i: api(trust.coordinator_b).get(f"/api/v1/timesheets/{i}"), ts.id)
    assert pages(trust.coordinator_b).get(f"/timesheets/{ts.id}").status_code == 404
    assert api(trust.coordinator_b).get("/api/v1/timesheets").get_json()["items"] == []
    for action in ("approve", "reject", "query"):
        _same_as_missing(lambda i, a=action: api(trust.approver_b).post(f"/api/v1/timesheets/{i}/{a}",
                                                                         json={"note": "Checked"}), ts.id)
        assert pages(trust.approver_b).post(f"/timesheets/{ts.id}/{action}",
                                            data={"note": "Checked"}).status_code == 404
    assert api(trust.approver_b).post("/api/v1/timesheets/bulk-approve", json={"ids": [ts.id]}).status_code == 422
    db.session.expire_all()
    assert db.session.get(type(ts), ts.id).status == "submitted"
