"""The coordinator's cockpit on a phone: change a shift (times, rate, notes), and the admin's approval process page."""
from datetime import datetime, time, timedelta

import pytest

from bankapp.extensions import db
from bankapp.timeutil import LONDON, london_date, now_utc
from tests.factories import Factory, make_booking
from tests.rates.cards import make_card


def _day(days_ahead):
    day = london_date(now_utc()) + timedelta(days=days_ahead)
    while day.weekday() >= 5:  # a weekday: the test card's weekday day rate (ST3 £60/h) prices it
        day += timedelta(days=1)
    return day


def _build():
    from bankapp.shifts.services import post_shift

    world = Factory().world()
    make_card(world.admin)
    day = _day(6)

    def at(d, hour):
        return datetime.combine(d, time(hour), tzinfo=LONDON)

    open_shift = post_shift(actor=world.coordinator_a, department=world.dept_a, grade=world.grades["ST3"],
                            start=at(day, 8), end=at(day, 17))
    full_day = post_shift(actor=world.coordinator_a, department=world.dept_a, grade=world.grades["ST3"],
                          start=at(day + timedelta(days=1), 8), end=at(day + timedelta(days=2), 8))
    make_booking(full_day, world.doctor)
    return world, open_shift.id, full_day.id, day


@pytest.fixture
def scene(live_server):
    return live_server.seed(_build)


def _status(live_server, shift_id):
    from bankapp.shifts.models import Shift

    return live_server.seed(lambda: db.session.get(Shift, shift_id).status)


def test_coordinator_changes_a_shift_and_the_notes_of_a_booked_one_on_a_phone(page, scene, login, expect,
                                                                              live_server):
    world, open_id, booked_id, day = scene
    login(page, world.coordinator_a.email)
    page.goto("/coordinator/shifts")
    # A 24-hour shift names both days in the list.
    following = day + timedelta(days=1)
    expect(page.locator("table")).to_contain_text(
        f"{following:%a} {following.day} {following:%b} 08:00–{day + timedelta(days=2):%a} "
        f"{(day + timedelta(days=2)).day} {day + timedelta(days=2):%b} 08:00")

    # Longer, and at a flat rate above the card: it waits for approval again.
    page.goto(f"/coordinator/shifts/{open_id}")
    page.get_by_role("link", name="Change this shift").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change this shift")
    page.get_by_label("Ends").fill(f"{day.isoformat()}T20:00")
    page.get_by_label("Flat hourly rate in £ (optional)").fill("70.00")
    page.get_by_label("Reason (optional)").fill("No claims at card rate")
    page.get_by_label("Notes for the doctor (optional)").fill("Ask for the registrar on call.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("waits for approval")
    summary = page.locator(".nhsuk-summary-list")
    expect(summary).to_contain_text("Awaiting rate approval")
    expect(summary).to_contain_text("20:00")
    expect(summary).to_contain_text("Ask for the registrar on call.")
    assert _status(live_server, open_id) == "pending_rate_approval"

    # An end before the start is shown next to the field; nothing changes.
    page.get_by_role("link", name="Change this shift").click()
    page.get_by_label("Ends").fill(f"{day.isoformat()}T07:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#end-error")).to_contain_text("The end must be after the start.")
    expect(page.locator(".nhsuk-error-summary a[href='#end']")).to_be_visible()

    # Back to card rates: it opens to bank doctors, and the request waiting is withdrawn.
    page.get_by_label("Ends").fill(f"{day.isoformat()}T20:00")
    page.get_by_label("Flat hourly rate in £ (optional)").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("open to bank doctors")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Withdrawn: the shift was changed")
    assert _status(live_server, open_id) == "open"

    # A booked shift takes only notes.
    page.goto(f"/coordinator/shifts/{booked_id}")
    page.get_by_role("link", name="Change the notes").click()
    expect(page.get_by_label("Ends")).to_have_count(0)
    page.get_by_label("Notes for the doctor (optional)").fill("Parking: staff car park B.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Notes saved")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Parking: staff car park B.")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_admin_sets_a_sites_approval_process_from_the_site_list(page, live_server, login, expect):
    world = live_server.seed(lambda: Factory().world())
    login(page, world.admin.email)
    page.goto("/admin/sites")
    page.locator("tr", has_text="Alpha Hospital").get_by_role("link", name="Approval process").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approval process at Alpha Hospital")

    # Each value says what it does for coordinators and approvers, with the value in force.
    window = page.get_by_label("Bank-only hours before agency cover may be asked for")
    hint = page.locator("#bank_only_window_hours-hint")
    expect(hint).to_contain_text("for 48 hours after a shift opens to bank doctors")
    expect(hint).to_contain_text("In force here now: 48 hours (the trust default)")
    expect(page.locator("#approver_max_percent-hint")).to_contain_text("Up to 20% over the card an approver")
    expect(page.locator("#doctor_cancel_cutoff_hours-hint")).to_contain_text("cancel their own booking online")

    # A negative window is refused next to the field; 24 hours is saved as the site's own.
    window.fill("-1")
    page.get_by_role("button", name="Save the approval process").click()
    expect(page.locator("#bank_only_window_hours-error")).to_be_visible()
    expect(page.locator(".nhsuk-error-summary a[href='#bank_only_window_hours']")).to_be_visible()
    window.fill("24")
    page.get_by_role("button", name="Save the approval process").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "The approval process of Alpha Hospital is saved.")
    expect(hint).to_contain_text("for 24 hours after a shift opens to bank doctors")
    expect(hint).to_contain_text("In force here now: 24 hours (this site's own)")

    # Emptied, the site follows the trust default again.
    window.fill("")
    page.get_by_role("button", name="Save the approval process").click()
    expect(hint).to_contain_text("In force here now: 48 hours (the trust default)")
