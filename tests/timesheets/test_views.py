"""Timesheet pages (test client, CSRF off): doctor list and form, approver queue, decisions, home sections."""
from datetime import UTC, datetime

import pytest
import time_machine

from bankapp.extensions import db
from bankapp.timesheets import queries
from bankapp.timesheets.models import Timesheet
from tests.factories import PASSWORD
from tests.timesheets.helpers import approve, submit, worked

NOW = datetime(2026, 10, 19, 10, 0, tzinfo=UTC)  # Mon 19 Oct 2026 11:00 BST: just after the cut-off


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def log_in(client, user):
    resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 302
    return client


def html(resp):
    return resp.get_data(as_text=True)


def test_doctor_sees_shifts_awaiting_a_timesheet(client, trust):
    booking = worked(trust, "2026-10-14T20:00", "2026-10-15T08:00")
    page = html(log_in(client, trust.doctor).get("/timesheets"))
    assert f"/timesheets/new?booking_id={booking.id}" in page
    assert "Wed 14 Oct 2026, 20:00 to Thu 15 Oct 2026, 08:00" in page


def test_form_is_prefilled_with_the_booked_times(client, trust):
    booking = worked(trust, "2026-10-14T20:00", "2026-10-15T08:00")
    page = html(log_in(client, trust.doctor).get(f"/timesheets/new?booking_id={booking.id}"))
    assert 'value="2026-10-14T20:00"' in page
    assert 'value="2026-10-15T08:00"' in page
    assert 'name="csrf_token"' in page


def test_one_tap_submit_of_the_booked_times(client, trust):
    booking = worked(trust, "2026-10-14T20:00", "2026-10-15T08:00")
    resp = log_in(client, trust.doctor).post(f"/timesheets/new?booking_id={booking.id}", data={
        "actual_start": "2026-10-14T20:00", "actual_end": "2026-10-15T08:00", "break_minutes": "0"})
    assert resp.status_code == 302
    ts = db.session.execute(db.select(Timesheet)).scalar_one()
    assert (ts.status, ts.break_minutes) == ("submitted", 0)


def test_errors_are_shown_next_to_the_fields(client, trust):
    booking = worked(trust, "2026-10-14T20:00", "2026-10-15T08:00")
    resp = log_in(client, trust.doctor).post(f"/timesheets/new?booking_id={booking.id}", data={
        "actual_start": "2026-10-14T20:00", "actual_end": "2026-10-14T19:00", "break_minutes": "lots"})
    assert resp.status_code == 422
    page = html(resp)
    assert 'id="actual_end-error"' in page
    assert 'id="break_minutes-error"' in page
    assert "nhsuk-error-summary" in page
    assert 'value="2026-10-14T19:00"' in page  # what they typed is kept


def test_too_early_is_shown_as_a_problem(client, trust):
    booking = worked(trust, "2026-10-19T08:00", "2026-10-19T17:00")
    resp = log_in(client, trust.doctor).post(f"/timesheets/new?booking_id={booking.id}", data={
        "actual_start": "2026-10-19T08:00", "actual_end": "2026-10-19T10:00", "break_minutes": "0"})
    assert resp.status_code == 422
    assert "submit the timesheet after it has ended" in html(resp)


def test_another_doctors_booking_form_is_404(client, trust, factory):
    booking = worked(trust, "2026-10-14T20:00", "2026-10-15T08:00")
    other = factory.doctor()
    db.session.commit()
    assert log_in(client, other).get(f"/timesheets/new?booking_id={booking.id}").status_code == 404


def test_approved_timesheet_shows_the_pay(client, trust):
    ts = approve(submit(worked(trust, "2026-10-14T20:00", "2026-10-15T08:00")), trust.approver_a)
    page = html(log_in(client, trust.doctor).get(f"/timesheets/{ts.id}"))
    assert "£725.00" in page
    assert "Weekday night" in page


def test_queue_separates_unchanged_from_changed_and_flags_the_cutoff(client, trust):
    with time_machine.travel(datetime(2026, 10, 17, 9, 0, tzinfo=UTC), tick=False):
        same = submit(worked(trust, "2026-10-14T20:00", "2026-10-15T08:00"))
        longer = submit(worked(trust, "2026-10-13T08:00", "2026-10-13T17:00"), end="2026-10-13T18:15")
    page = html(log_in(client, trust.approver_a).get("/timesheets/queue"))
    assert f'name="ids" type="checkbox" value="{same.id}"' in page
    assert f'value="{longer.id}"' not in page.split('id="changed"')[0].split('id="bulk-approve"')[1]
    assert f'id="timesheet-{longer.id}"' in page
    assert "1 h 15 min later than booked" in page
    assert "Misses this week&#39;s pay run" in page or "Misses this week's pay run" in page
    assert 'id="missed-cutoff"' in page


def test_queue_shows_what_approving_each_timesheet_would_pay(client, trust):
    """The approver sees the money before deciding, and it is exactly what approval then stores."""
    same = submit(worked(trust, "2026-10-14T20:00", "2026-10-15T08:00"))
    longer = submit(worked(trust, "2026-10-13T08:00", "2026-10-13T17:00"), end="2026-10-13T18:15", break_minutes=15)
    log_in(client, trust.approver_a)
    page = html(client.get("/timesheets/queue"))
    # 20:00-21:00 day £50, 21:00-07:00 night 10 h × £62.50, 07:00-08:00 day £50; 08:00-18:15 less 15 min at £50.
    assert f'id="pay-{same.id}">Pay £725.00 for 12.00 h<' in page
    assert f'id="pay-{longer.id}">Pay £500.00 for 10.00 h<' in page
    assert "would pay <strong>£1,225.00</strong> in all" in page
    detail = html(client.get(f"/timesheets/{longer.id}"))
    assert "What approving this timesheet would pay" in detail and "£500.00" in detail
    approve(same, trust.approver_a)
    approve(longer, trust.approver_a)
    db.session.expire_all()
    paid = {ts.id: queries.pay_of(db.session.get(Timesheet, ts.id))["total"] for ts in (same, longer)}
    assert paid == {same.id: "725.00", longer.id: "500.00"}


def test_queue_says_when_no_rate_prices_a_timesheet(client, trust):
    ts = submit(worked(trust, "2019-10-14T08:00", "2019-10-14T17:00"))  # before the card took effect
    page = html(log_in(client, trust.approver_a).get("/timesheets/queue"))
    assert f'id="pay-{ts.id}">No rate to pay it with<' in page


def test_bulk_approve_from_the_queue(client, trust):
    a = submit(worked(trust, "2026-10-14T20:00", "2026-10-15T08:00"))
    b = submit(worked(trust, "2026-10-12T08:00", "2026-10-12T17:00"))
    resp = log_in(client, trust.approver_a).post("/timesheets/bulk-approve", data={"ids": [str(a.id), str(b.id)]})
    assert resp.status_code == 302
    db.session.expire_all()
    assert {db.session.get(Timesheet, i).status for i in (a.id, b.id)} == {"approved"}


def test_query_without_a_note_shows_the_error_next_to_the_note(client, trust):
    ts = submit(worked(trust, "2026-10-14T20:00", "2026-10-15T08:00"))
    resp = log_in(client, trust.approver_a).post(f"/timesheets/{ts.id}/query", data={"note": ""})
    assert resp.status_code == 422
    assert 'id="note-error"' in html(resp)


def test_query_then_doctor_amends_on_the_page(client, trust):
    ts = submit(worked(trust, "2026-10-14T20:00", "2026-10-15T08:00"))
    log_in(client, trust.approver_a).post(f"/timesheets/{ts.id}/query", data={"note": "Any break?"})
    client.post("/logout")
    log_in(client, trust.doctor)
    page = html(client.get(f"/timesheets/{ts.id}"))
    assert "Any break?" in page and "Answer the query" in page
    resp = client.post(f"/timesheets/{ts.id}/amend", data={
        "actual_start": "2026-10-14T20:00", "actual_end": "2026-10-15T08:00", "break_minutes": "30"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Timesheet, ts.id).status == "submitted"


def test_approver_of_another_site_cannot_decide_on_the_page(client, trust):
    ts = submit(worked(trust, "2026-10-14T20:00", "2026-10-15T08:00"))
    assert log_in(client, trust.approver_b).post(f"/timesheets/{ts.id}/approve").status_code == 404


def test_doctor_cannot_open_the_queue(client, trust):
    assert log_in(client, trust.doctor).get("/timesheets/queue").status_code == 403


def test_home_sections(client, trust):
    worked(trust, "2026-10-14T20:00", "2026-10-15T08:00")
    assert "1 worked shift is waiting for your timesheet" in html(log_in(client, trust.doctor).get("/"))
    client.post("/logout")
    with time_machine.travel(datetime(2026, 10, 17, 9, 0, tzinfo=UTC), tick=False):
        submit(worked(trust, "2026-10-12T08:00", "2026-10-12T17:00"))
    page = html(log_in(client, trust.approver_a).get("/"))
    assert "1 waiting" in page and "1 already past the pay-run cut-off" in page


def test_coordinator_enters_an_agency_timesheet(client, trust):
    from decimal import Decimal

    booking = worked(trust, "2026-10-14T20:00", "2026-10-15T08:00", source="agency", charge_rate=Decimal("100.00"))
    log_in(client, trust.coordinator_a)
    assert f"/timesheets/new?booking_id={booking.id}" in html(client.get("/timesheets/agency"))
    resp = client.post(f"/timesheets/new?booking_id={booking.id}", data={
        "actual_start": "2026-10-14T20:00", "actual_end": "2026-10-15T08:00", "break_minutes": "0"})
    assert resp.status_code == 302
    assert db.session.execute(db.select(Timesheet)).scalar_one().submitted_by_id == trust.coordinator_a.id


def test_approver_following_a_timesheets_link_lands_on_the_queue(client, trust):
    resp = log_in(client, trust.approver_a).get("/timesheets")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/timesheets/queue")


def test_an_approver_does_not_get_decide_buttons_on_their_own_timesheet(client, trust, factory):
    doctor_approver = factory.user(("doctor", "approver"), sites=[trust.site_a], grade="ST3",
                                   esr_assignment_number="12345678-2")
    db.session.commit()
    ts = submit(worked(trust, "2026-10-14T20:00", "2026-10-15T08:00", doctor=doctor_approver))
    page = log_in(client, doctor_approver)
    detail = html(page.get(f"/timesheets/{ts.id}"))
    assert f"/timesheets/{ts.id}/approve" not in detail
    assert f"/timesheets/{ts.id}" not in html(page.get("/timesheets/queue"))
    resp = page.post(f"/timesheets/{ts.id}/approve", data={"note": ""})
    assert resp.status_code == 302
    assert "This timesheet is about you: someone else must decide it." in html(page.get(resp.location))
    assert db.session.get(Timesheet, ts.id).status == "submitted"
