"""The marketplace pages: board, one-tap claim (with and without htmx), My shifts, calendar, coordinator pages."""
import io

from icalendar import Calendar

from bankapp.audit.models import Breach
from bankapp.extensions import db
from bankapp.shifts.models import Booking, Shift
from tests.factories import PASSWORD

from .conftest import booked, post


def login(client, user):
    resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return client


def test_board_shows_cards_with_clock_change_label_hours_and_pay(market, api, client):
    post(api, market, "2026-10-24T20:00", "2026-10-25T08:00")
    post(api, market, "2026-10-05T08:00", "2026-10-05T20:00", department=market.dept_b)
    html = login(client, market.doctor).get("/shifts").get_data(as_text=True)
    assert "Clocks go back: 13-hour night" in html
    assert "Alpha Hospital" in html and "Beta Hospital" in html
    assert "£720.00" in html and "All open shifts (2)" in html


def test_board_filters_by_site_grade_and_dates(market, api, client):
    post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    post(api, market, "2026-10-06T08:00", "2026-10-06T20:00", department=market.dept_b)
    post(api, market, "2026-10-07T08:00", "2026-10-07T20:00", grade="FY1")
    login(client, market.doctor)
    assert "1 shift found" in client.get(f"/shifts?show=all&site_id={market.site_b.id}").get_data(as_text=True)
    assert "All open shifts (1)" in client.get("/shifts?grade=FY1").get_data(as_text=True)
    assert "2 shifts found" in client.get("/shifts?show=all&from=2026-10-06&to=2026-10-07").get_data(as_text=True)
    resp = client.get("/shifts?from=tomorrow")
    assert resp.status_code == 422 and "Enter a date like" in resp.get_data(as_text=True)


def test_board_is_for_doctors(market, client):
    assert login(client, market.coordinator_a).get("/shifts").status_code == 403


def test_claim_without_javascript_redirects_to_my_shifts(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    login(client, market.doctor)
    detail = client.get(f"/shifts/{shift['id']}").get_data(as_text=True)
    assert "Claim this shift" in detail and "Weekday day" in detail and 'hx-post="/shifts/' in detail
    resp = client.post(f"/shifts/{shift['id']}/claim")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/my-shifts")
    page = client.get("/my-shifts").get_data(as_text=True)
    assert "Booked: Emergency Department, Alpha Hospital" in page and "Cancel booking" in page


def test_claim_with_htmx_swaps_in_the_result(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    login(client, market.doctor)
    resp = client.post(f"/shifts/{shift['id']}/claim", headers={"HX-Request": "true"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="claim-panel"') and "Booked:" in html and "<html" not in html


def test_refusal_reasons_are_shown_in_plain_english(market, api, client, factory):
    junior = factory.doctor("FY1", documents=False)
    db.session.commit()
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00", grade="FY1")
    booked(market, junior, "2026-10-05T10:00", "2026-10-05T12:00", department=market.dept_b, grade="FY1")
    login(client, junior)
    resp = client.post(f"/shifts/{shift['id']}/claim")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'data-code="compliance_missing"' in html and 'data-code="overlap"' in html
    assert "We do not hold your" in html and "Claim this shift" not in html
    htmx = client.post(f"/shifts/{shift['id']}/claim", headers={"HX-Request": "true"})
    assert htmx.status_code == 422 and "This overlaps your booked shift" in htmx.get_data(as_text=True)


def test_claiming_a_taken_shift_says_so(market, api, client, factory):
    other = factory.doctor("ST3")
    db.session.commit()
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    api(other).post(f"/api/v1/shifts/{shift['id']}/claim")
    login(client, market.doctor)
    resp = client.post(f"/shifts/{shift['id']}/claim", follow_redirects=True)
    assert "This shift has already been booked." in resp.get_data(as_text=True)


def test_doctor_cancels_from_my_shifts(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    booking = api(market.doctor).post(f"/api/v1/shifts/{shift['id']}/claim").get_json()
    login(client, market.doctor)
    resp = client.post(f"/my-shifts/{booking['id']}/cancel", follow_redirects=True)
    assert "back on the board" in resp.get_data(as_text=True)
    assert db.session.get(Shift, shift["id"]).status == "open"


def test_calendar_feed_lists_my_bookings_and_unknown_tokens_are_404(market, api, client, factory):
    other = factory.doctor("ST3")
    db.session.commit()
    mine = post(api, market, "2026-10-24T20:00", "2026-10-25T08:00")
    theirs = post(api, market, "2026-10-07T08:00", "2026-10-07T20:00")
    api(market.doctor).post(f"/api/v1/shifts/{mine['id']}/claim")
    api(other).post(f"/api/v1/shifts/{theirs['id']}/claim")
    token = market.doctor.doctor_profile.calendar_token
    resp = client.get(f"/calendar/{token}.ics")
    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(resp.data).walk("VEVENT")]
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == "Bank shift: Emergency Department, Alpha Hospital"
    assert event.decoded("dtend") - event.decoded("dtstart") == __import__("datetime").timedelta(hours=13)
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get(f"/calendar/{other.doctor_profile.calendar_token}x.ics").status_code == 404


def test_home_sections(market, api, client):
    shift = post(api, market, "2026-09-03T08:00", "2026-09-03T20:00")
    post(api, market, "2026-09-04T08:00", "2026-09-04T20:00")
    html = login(client, market.coordinator_a).get("/").get_data(as_text=True)
    assert "Unfilled in the next 7 days" in html and "Thu 3 Sep 08:00" in html
    api(market.doctor).post(f"/api/v1/shifts/{shift['id']}/claim")
    client.post("/logout")
    html = login(client, market.doctor).get("/").get_data(as_text=True)
    assert "Your next shift" in html and "1 open shift at your grade and hospitals" in html


def test_coordinator_posts_a_weekly_shift_from_the_form(market, client):
    login(client, market.coordinator_a)
    form = client.get("/coordinator/shifts/new").get_data(as_text=True)
    assert 'id="rate-preview"' in form
    resp = client.post("/coordinator/shifts/new", data={
        "department_id": market.dept_a.id, "grade_id": market.grades["ST3"].id, "start": "2026-10-17T20:00",
        "end": "2026-10-18T08:00", "hourly_rate": "", "reason": "", "repeat_weeks": "3"})
    assert resp.status_code == 302
    shifts = db.session.execute(db.select(Shift).order_by(Shift.start_at)).scalars().all()
    assert [round((s.end_at - s.start_at).total_seconds() / 3600) for s in shifts] == [12, 13, 12]


def test_post_form_shows_errors_next_to_fields(market, client):
    login(client, market.coordinator_a)
    resp = client.post("/coordinator/shifts/new", data={
        "department_id": market.dept_a.id, "grade_id": market.grades["ST3"].id, "start": "2027-03-28T01:30",
        "end": "2027-03-28T00:30", "repeat_weeks": "1"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="start-error"' in html and "does not exist" in html
    assert db.session.execute(db.select(db.func.count(Shift.id))).scalar_one() == 0


def test_rota_upload_reports_line_numbers_and_imports_nothing(market, client):
    login(client, market.coordinator_a)
    text = ("department,grade,start,end\nEmergency Department,ST3,2026-10-05T08:00,2026-10-05T20:00\n"
            "Emergency Department,XX,2026-10-06T08:00,2026-10-06T20:00\n")
    resp = client.post("/coordinator/shifts/upload", data={"file": (io.BytesIO(text.encode()), "rota.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422 and "Line 3:" in resp.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Shift.id))).scalar_one() == 0
    good = text.splitlines()[:2]
    resp = client.post("/coordinator/shifts/upload", data={"file": (io.BytesIO("\n".join(good).encode()),
                                                                    "rota.csv")}, content_type="multipart/form-data")
    assert resp.status_code == 302


def test_coordinator_assigns_with_override_from_the_page(market, api, client):
    booked(market, market.doctor, "2026-10-05T08:00", "2026-10-05T20:00", department=market.dept_b)
    shift = post(api, market, "2026-10-06T06:00", "2026-10-06T12:00")
    login(client, market.coordinator_a)
    resp = client.post(f"/coordinator/shifts/{shift['id']}/assign", data={"doctor_id": market.doctor.id})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'data-code="wtr_min_rest_11h"' in html and 'name="override_reason"' in html
    resp = client.post(f"/coordinator/shifts/{shift['id']}/assign", data={
        "doctor_id": market.doctor.id, "override_reason": "No one else; patient safety"})
    assert resp.status_code == 302
    assert db.session.execute(db.select(Breach.type)).scalar_one() == "wtr_override"


def test_coordinator_cancels_and_reopens_from_the_page(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    login(client, market.coordinator_a)
    assert "Dr Default" in client.get(f"/coordinator/shifts/{shift['id']}").get_data(as_text=True)
    resp = client.post(f"/coordinator/shifts/{shift['id']}/cancel", data={"reason": ""})
    assert resp.status_code == 422 and "Say why" in resp.get_data(as_text=True)
    client.post(f"/coordinator/shifts/{shift['id']}/cancel", data={"reason": "Ward closed"})
    assert db.session.get(Shift, shift["id"]).status == "cancelled"
    client.post(f"/coordinator/shifts/{shift['id']}/reopen")
    db.session.expire_all()
    assert db.session.get(Shift, shift["id"]).status == "open"
    listing = client.get("/coordinator/shifts?status=open").get_data(as_text=True)
    assert "Unfilled" in listing


def test_other_sites_shifts_are_404_for_a_coordinator(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    assert login(client, market.coordinator_b).get(f"/coordinator/shifts/{shift['id']}").status_code == 404
    assert db.session.execute(db.select(db.func.count(Booking.id))).scalar_one() == 0


def test_board_lists_only_shifts_i_can_take_and_the_others_with_why(market, api, client):
    booked(market, market.doctor, "2026-10-05T08:00", "2026-10-05T17:00", department=market.dept_b)
    clash = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    short_rest = post(api, market, "2026-10-06T02:00", "2026-10-06T06:00")
    fine = post(api, market, "2026-10-07T08:00", "2026-10-07T20:00")
    login(client, market.doctor)
    mine = client.get("/shifts").get_data(as_text=True)
    assert _card_ids(mine) == [fine["id"]] and "You cannot take this shift" not in mine
    assert 'aria-current="page">Shifts I can take' in mine and "All open shifts (3)" in mine
    every = client.get("/shifts?show=all").get_data(as_text=True)
    assert _card_ids(every) == [clash["id"], short_rest["id"], fine["id"]] and "3 shifts found" in every
    assert every.count("You cannot take this shift") == 2
    assert ("This overlaps your booked shift: Beta Hospital, Mon 5 Oct 08:00–17:00." in every
            and 'data-code="wtr_min_rest_11h"' in every)
    assert "after your shift at Beta Hospital ending Mon 5 Oct 17:00" in every


def _many_shifts(world, count, **kw):
    from datetime import timedelta

    from tests.factories import make_shift

    from .conftest import NOW

    shifts = []
    for i in range(count):
        start = NOW + timedelta(days=3, hours=5 * i)
        shifts.append(make_shift(department=kw.get("department", world.dept_a), grade=world.grades["ST3"],
                                 start=start, end=start + timedelta(hours=4), posted_by=world.coordinator_a))
    db.session.commit()
    return shifts


def _card_ids(html):
    import re

    return [int(n) for n in re.findall(r'id="shift-(\d+)"', html)]


def test_board_pages_25_at_a_time_soonest_first_with_next_and_previous(market, client):
    shifts = _many_shifts(market, 30)
    login(client, market.doctor)
    first = client.get("/shifts").get_data(as_text=True)
    assert _card_ids(first) == [s.id for s in shifts[:25]] and "All open shifts (30)" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get(f"/shifts?after={shifts[24].id}").get_data(as_text=True)
    assert _card_ids(second) == [s.id for s in shifts[25:]]
    assert 'rel="next"' not in second and f'href="/shifts?before={shifts[25].id}"' in second
    back = client.get(f"/shifts?before={shifts[25].id}").get_data(as_text=True)
    assert _card_ids(back) == [s.id for s in shifts[:25]] and 'rel="prev"' not in back and 'rel="next"' in back


def test_board_page_links_keep_the_filters(market, client):
    _many_shifts(market, 27, department=market.dept_b)
    login(client, market.doctor)
    html = client.get(f"/shifts?site_id={market.site_b.id}&from=2026-09-01").get_data(as_text=True)
    assert "All open shifts (27)" in html
    assert f"site_id={market.site_b.id}" in html.split('rel="next"')[0].rsplit("href=", 1)[1]
    assert "from=2026-09-01" in html.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_coordinator_list_pages_with_status_kept(market, client):
    shifts = _many_shifts(market, 26)
    login(client, market.coordinator_a)
    html = client.get("/coordinator/shifts?status=open").get_data(as_text=True)
    assert f"/coordinator/shifts?status=open&amp;after={shifts[24].id}" in html and "Open: 26" in html
    page2 = client.get(f"/coordinator/shifts?status=open&after={shifts[24].id}").get_data(as_text=True)
    assert f"/coordinator/shifts/{shifts[25].id}" in page2 and f"/coordinator/shifts/{shifts[24].id}\"" not in page2


def test_the_rota_template_downloads_and_uploads_as_it_is(market, client):
    page = login(client, market.coordinator_a)
    assert "/coordinator/shifts/upload/template.csv" in page.get("/coordinator/shifts/upload").get_data(as_text=True)
    resp = page.get("/coordinator/shifts/upload/template.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment; filename=rota-template.csv" == resp.headers["Content-Disposition"]
    lines = resp.get_data(as_text=True).splitlines()
    assert lines[0] == "department,grade,start,end,hourly_rate,site,reason"
    assert len(lines) == 4 and all(line.startswith("Emergency Department,") for line in lines[1:])
    resp = page.post("/coordinator/shifts/upload", data={"file": (io.BytesIO(resp.get_data()), "rota.csv")},
                     content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    shifts = db.session.execute(db.select(Shift).order_by(Shift.start_at)).scalars().all()
    assert len(shifts) == 3 and {s.site_id for s in shifts} == {market.site_a.id}
    assert shifts[2].status == "pending_rate_approval"  # the flat-rate example is above the test card


def test_a_department_name_kept_as_text_in_the_template_reads_back_as_it_was(market, client):
    market.dept_a.name = "-Wing A"  # a spreadsheet would run it: the template writes '-Wing A
    db.session.commit()
    page = login(client, market.coordinator_a)
    template = page.get("/coordinator/shifts/upload/template.csv").get_data()
    assert b"'-Wing A," in template
    resp = page.post("/coordinator/shifts/upload", data={"file": (io.BytesIO(template), "rota.csv")},
                     content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)
def test_shifts_i_can_take_pages_past_the_ones_i_cannot(market, client):
    from bankapp.shifts.eligibility import for_doctor

    shifts = _many_shifts(market, 50)
    booked(market, market.doctor, "2026-09-05T08:00", "2026-09-05T18:00", department=market.dept_b)
    refused = {sid for sid, reasons in for_doctor(market.doctor, shifts).items() if reasons}
    takeable = [s.id for s in shifts if s.id not in refused]
    assert len(refused) >= 5 and len(takeable) > 25
    login(client, market.doctor)
    first = client.get("/shifts").get_data(as_text=True)
    assert _card_ids(first) == takeable[:25]
    second = client.get(f"/shifts?after={takeable[24]}").get_data(as_text=True)
    assert _card_ids(second) == takeable[25:] and 'rel="next"' not in second
    back = client.get(f"/shifts?before={takeable[25]}").get_data(as_text=True)
    assert _card_ids(back) == takeable[:25]


def _soon(world, hours_ahead=30):
    from datetime import timedelta

    from tests.factories import make_shift

    from .conftest import NOW

    shift = make_shift(department=world.dept_a, grade=world.grades["ST3"], start=NOW + timedelta(hours=hours_ahead),
                       end=NOW + timedelta(hours=hours_ahead + 10), posted_by=world.coordinator_a)
    db.session.commit()
    return shift


def test_shift_page_warns_before_a_claim_inside_the_cut_off_and_gives_the_phone_after(market, client):
    from bankapp.org.services import update_site

    update_site(market.site_a, {"staffing_phone": "01245 362000"}, actor=market.admin)
    soon, later = _soon(market), _soon(market, hours_ahead=24 * 5)
    login(client, market.doctor)
    page = client.get(f"/shifts/{soon.id}").get_data(as_text=True)
    assert "You cannot cancel this shift online" in page and "It starts within 48 hours" in page
    assert "call Alpha Hospital medical staffing on 01245 362000" in page
    assert "You cannot cancel this shift online" not in client.get(f"/shifts/{later.id}").get_data(as_text=True)
    result = client.post(f"/shifts/{soon.id}/claim", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "You cannot cancel it online" in result and "01245 362000" in result
    assert '<strong id="shift-status" hx-swap-oob="true"' in result and ">Booked</strong>" in result
    later_result = client.post(f"/shifts/{later.id}/claim", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "You can cancel it yourself in My shifts until" in later_result
    mine = client.get("/my-shifts").get_data(as_text=True)
    assert "to cancel, call Alpha Hospital medical staffing on 01245 362000" in mine


def test_claim_without_javascript_inside_the_cut_off_says_whom_to_call(market, client):
    soon = _soon(market)
    login(client, market.doctor)
    resp = client.post(f"/shifts/{soon.id}/claim", follow_redirects=True)
    assert "If you cannot work it, call Alpha Hospital medical staffing." in resp.get_data(as_text=True)


def test_shift_page_puts_site_time_pay_and_claim_first_and_folds_the_bands(market, api, client):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    html = login(client, market.doctor).get(f"/shifts/{shift['id']}").get_data(as_text=True)
    order = [html.index(text) for text in ("Alpha Hospital", "Mon 5 Oct, 08:00 to 20:00", "£720.00",
                                           "Claim this shift", "Pay by time band", "About this shift")]
    assert order == sorted(order)
    assert '<details class="nhsuk-details" id="pay-bands">' in html


def test_shift_page_shows_why_not_instead_of_the_claim_button(market, api, client):
    booked(market, market.doctor, "2026-10-05T08:00", "2026-10-05T17:00", department=market.dept_b)
    clash = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    html = login(client, market.doctor).get(f"/shifts/{clash['id']}").get_data(as_text=True)
    assert "Claim this shift" not in html and 'data-code="overlap"' in html
    assert "This overlaps your booked shift: Beta Hospital, Mon 5 Oct 08:00–17:00." in html


def test_my_shifts_offers_a_one_tap_calendar_subscription_beside_the_address(market, client):
    token = market.doctor.doctor_profile.calendar_token
    html = login(client, market.doctor).get("/my-shifts").get_data(as_text=True)
    assert f'href="webcal://localhost/calendar/{token}.ics"' in html and "Subscribe in my calendar" in html
    assert f'value="http://localhost/calendar/{token}.ics"' in html
