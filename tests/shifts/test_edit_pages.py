"""The coordinator's "Change this shift" page, driven with the test client (the browser test clicks it too)."""
from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage
from bankapp.shifts.models import Shift
from tests.factories import PASSWORD

from .conftest import booked, post


def login(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def _form(**changes):
    form = {"start": "2026-10-05T08:00", "end": "2026-10-05T20:00", "hourly_rate": "", "notes": "", "reason": ""}
    return {**form, **changes}


def test_the_form_shows_the_shift_as_it_stands(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00", hourly_rate="55.00")
    html = login(client, market.coordinator_a).get(f"/coordinator/shifts/{shift['id']}/edit").get_data(as_text=True)
    assert 'value="2026-10-05T08:00"' in html and 'value="2026-10-05T20:00"' in html and 'value="55.00"' in html
    manage = client.get(f"/coordinator/shifts/{shift['id']}").get_data(as_text=True)
    assert "Change this shift" in manage


def test_changing_the_end_saves_and_returns_to_the_shift(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    page = login(client, market.coordinator_a)
    form = _form(end="2026-10-05T17:00", grade_id=str(market.grades["ST3"].id), notes="Ask for Dr Shah.")
    resp = page.post(f"/coordinator/shifts/{shift['id']}/edit", data=form)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/coordinator/shifts/{shift['id']}")
    saved = db.session.get(Shift, shift["id"])
    assert saved.notes == "Ask for Dr Shah." and saved.end_at.hour == 16  # 17:00 BST
    html = page.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Shift changed." in html and "Ask for Dr Shah." in html


def test_a_rate_above_the_card_is_held_and_emptying_it_goes_back_to_card_rates(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    page = login(client, market.coordinator_a)
    grade = str(market.grades["ST3"].id)
    resp = page.post(f"/coordinator/shifts/{shift['id']}/edit", data=_form(hourly_rate="70.00", grade_id=grade),
                     follow_redirects=True)
    assert "waits for approval" in resp.get_data(as_text=True)
    assert db.session.get(Shift, shift["id"]).status == "pending_rate_approval"
    resp = page.post(f"/coordinator/shifts/{shift['id']}/edit", data=_form(grade_id=grade), follow_redirects=True)
    assert "open to bank doctors" in resp.get_data(as_text=True)
    shift_row = db.session.get(Shift, shift["id"])
    assert (shift_row.status, shift_row.hourly_rate) == ("open", None)


def test_problems_are_shown_next_to_their_fields_and_nothing_changes(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    page = login(client, market.coordinator_a)
    resp = page.post(f"/coordinator/shifts/{shift['id']}/edit",
                     data=_form(start="", end="2026-10-05T07:00", grade_id=str(market.grades["ST3"].id)))
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="start-error"' in html and "Enter the start date and time." in html
    resp = page.post(f"/coordinator/shifts/{shift['id']}/edit",
                     data=_form(end="2026-10-05T07:00", grade_id=str(market.grades["ST3"].id)))
    assert resp.status_code == 422 and "The end must be after the start." in resp.get_data(as_text=True)
    assert db.session.get(Shift, shift["id"]).end_at.hour == 19


def test_a_booked_shift_offers_only_its_notes_and_texts_the_doctor(market, client, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True, mobile="+447700900456")
    booking = booked(market, doctor, "2026-10-05T08:00", "2026-10-05T20:00")
    page = login(client, market.coordinator_a)
    assert "Change the notes" in page.get(f"/coordinator/shifts/{booking.shift_id}").get_data(as_text=True)
    html = page.get(f"/coordinator/shifts/{booking.shift_id}/edit").get_data(as_text=True)
    assert 'name="notes"' in html and 'name="start"' not in html and "only its notes can change" in html
    resp = page.post(f"/coordinator/shifts/{booking.shift_id}/edit",
                     data={"notes": "Parking: use the staff car park B.", "start": "2027-01-01T08:00"},
                     follow_redirects=True)
    assert "Notes saved" in resp.get_data(as_text=True)
    shift = db.session.get(Shift, booking.shift_id)
    assert shift.notes == "Parking: use the staff car park B." and shift.start_at.year == 2026
    text = db.session.execute(db.select(OutboxMessage).filter_by(kind="shift_changed")).scalar_one()
    assert text.to == doctor.mobile and "car park B" in text.body
    doctor_page = login(client, doctor).get(f"/shifts/{shift.id}").get_data(as_text=True)
    assert "Notes from the coordinator" in doctor_page and "car park B" in doctor_page


def test_a_cancelled_shift_cannot_be_changed(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/cancel", json={"reason": "Ward closed"})
    page = login(client, market.coordinator_a)
    assert "Change this shift" not in page.get(f"/coordinator/shifts/{shift['id']}").get_data(as_text=True)
    resp = page.get(f"/coordinator/shifts/{shift['id']}/edit", follow_redirects=True)
    assert "has been cancelled, so it cannot be changed" in resp.get_data(as_text=True)


def test_the_other_sites_coordinator_gets_404(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    page = login(client, market.coordinator_b)
    assert page.get(f"/coordinator/shifts/{shift['id']}/edit").status_code == 404
