"""Rate approvals and the rate card in a phone browser (390×844)."""
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest

from bankapp.extensions import db
from bankapp.timeutil import LONDON, is_bank_holiday, london_date, now_utc
from tests.factories import Factory
from tests.rates.cards import make_card


def _weekday_nine(days_ahead=21):
    day = london_date(now_utc()) + timedelta(days=days_ahead)
    while day.weekday() >= 5 or is_bank_holiday(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(9), tzinfo=LONDON)


@pytest.fixture
def world(live_server):
    def build():
        w = Factory().world()
        make_card(w.admin)
        return w

    return live_server.seed(build)


def _post_violation(live_server, world, rate):
    def post():
        from bankapp.org.models import Department, Grade
        from bankapp.shifts.services import post_shift

        start = _weekday_nine()
        shift = post_shift(actor=db.session.merge(world.coordinator_a), department=db.session.get(Department,
                           world.dept_a.id), grade=db.session.get(Grade, world.grades["ST3"].id), start=start,
                           end=start + timedelta(hours=8), hourly_rate=Decimal(rate),
                           reason="Nobody has claimed it at the card rate")
        return shift.id, shift.rate_violations[0].id

    return live_server.seed(post)


def _shift_status(live_server, shift_id):
    from bankapp.shifts.models import Shift

    return live_server.seed(lambda: db.session.get(Shift, shift_id).status)


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_approver_approves_a_violation_from_the_queue_on_a_phone(page, world, login, expect, live_server):
    shift_id, violation_id = _post_violation(live_server, world, "70.00")
    login(page, world.approver_a.email)
    page.get_by_role("link", name="1 rate is waiting for your approval").click()
    card = page.locator(f"#violation-{violation_id}")
    expect(card).to_contain_text("Nobody has claimed it at the card rate")
    expect(card).to_contain_text("16.67%")
    expect(card).to_contain_text("£480.00")
    expect(card).to_contain_text("£560.00")
    _no_sideways_scroll(page)
    card.get_by_label("Note").fill("Winter pressures: approved")
    card.get_by_role("button", name="Approve rate").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Rate approved")
    expect(page.get_by_text("There are no rates waiting for your decision.")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Winter pressures: approved")
    assert _shift_status(live_server, shift_id) == "open"


def test_rejected_rate_goes_back_to_the_coordinator_who_revises_it(page, world, login, expect, live_server):
    shift_id, violation_id = _post_violation(live_server, world, "70.00")
    login(page, world.approver_a.email)
    page.goto("/rate-violations")
    card = page.locator(f"#violation-{violation_id}")
    card.get_by_role("button", name="Reject rate").click()
    expect(page.locator(f"#note-{violation_id}-error")).to_contain_text("Say why the rate is rejected.")
    page.locator(f"#violation-{violation_id}").get_by_label("Note").fill("Offer the card rate first")
    page.locator(f"#violation-{violation_id}").get_by_role("button", name="Reject rate").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("gone back to its coordinator")

    page.get_by_role("button", name="Log out").click()
    login(page, world.coordinator_a.email)
    page.locator("#rates-returned a").click()
    expect(page.locator(f"#violation-{violation_id}")).to_contain_text("Offer the card rate first")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Revise rate").click()  # blank rate: pay the card
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("open at the revised rate")
    assert _shift_status(live_server, shift_id) == "open"


def test_admin_sees_the_card_and_a_missing_cell_is_flagged(page, world, login, expect):
    login(page, world.admin.email)
    page.goto("/rates")
    expect(page.get_by_role("heading", level=1)).to_have_text("Harmonised rate card")
    expect(page.locator("table")).to_contain_text("£100.00")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Publish a new card").click()
    page.fill("#effective_from", (london_date(now_utc()) + timedelta(days=10)).isoformat())
    page.fill("#rate-ST3-bank_holiday", "")
    page.get_by_role("button", name="Publish rate card").click()
    summary = page.locator(".nhsuk-error-summary:not(#app-live-error)")
    expect(summary).to_contain_text("Enter the bank holiday rate for ST3.")
    expect(page.locator("#rate-ST3-bank_holiday-error")).to_be_visible()
    page.fill("#rate-ST3-bank_holiday", "105.00")
    page.get_by_role("button", name="Publish rate card").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("is saved")
    expect(page.locator("table")).to_contain_text("£105.00")


def test_post_form_shows_the_card_price_and_the_violation_before_posting(page, world, login, expect):
    login(page, world.coordinator_a.email)
    response = page.goto("/coordinator/shifts/new")
    if response.status == 404:
        pytest.skip("the marketplace's post form is not there")
    start = _weekday_nine()
    page.select_option("#department_id", str(world.dept_a.id))
    page.select_option("#grade_id", str(world.grades["ST3"].id))
    page.fill("#start", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#end", (start + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#end").dispatch_event("change")
    preview = page.locator("#rate-preview")
    expect(preview).to_contain_text("Card price for ST3: £480.00 for 8.00 hours")
    page.fill("#hourly_rate", "80")
    page.locator("#hourly_rate").dispatch_event("change")
    expect(preview).to_contain_text("33.33% over the card")
    expect(preview).to_contain_text("an executive")
    _no_sideways_scroll(page)
