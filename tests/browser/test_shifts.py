"""A doctor on a phone finds a shift, claims it with one tap and sees it in My shifts."""
from datetime import datetime, time, timedelta

import pytest

from bankapp.timeutil import LONDON, london_date, now_utc
from tests.factories import Factory
from tests.rates.cards import make_card


def _build():
    from bankapp.shifts.services import post_shift

    world = Factory().world()
    make_card(world.admin)
    day = london_date(now_utc()) + timedelta(days=5)

    def at(d, hour):
        return datetime.combine(d, time(hour), tzinfo=LONDON)

    post_shift(actor=world.coordinator_a, department=world.dept_a, grade=world.grades["ST3"], start=at(day, 8),
               end=at(day, 20))
    post_shift(actor=world.coordinator_b, department=world.dept_b, grade=world.grades["CT1"], start=at(day, 20),
               end=at(day + timedelta(days=1), 8))
    post_shift(actor=world.coordinator_b, department=world.dept_b, grade=world.grades["ST3"],
               start=at(day + timedelta(days=3), 8), end=at(day + timedelta(days=3), 17))
    return world


@pytest.fixture
def world(live_server):
    return live_server.seed(_build)


def test_doctor_filters_claims_and_sees_it_in_my_shifts(page, world, login, expect):
    login(page, world.doctor.email)
    page.get_by_role("link", name="Find shifts").first.click()
    expect(page.locator(".app-shift-card")).to_have_count(3)

    page.get_by_text("Filter shifts").click()
    page.select_option("#site_id", label="Beta Hospital")
    page.select_option("#grade", value="CT1")
    page.get_by_role("button", name="Show shifts").click()
    expect(page.locator(".app-shift-card")).to_have_count(1)
    card = page.locator(".app-shift-card")
    expect(card).to_contain_text("Beta Hospital")
    expect(card).to_contain_text("Acute Medicine")

    card.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beta Hospital, Acute Medicine")
    expect(page.get_by_text("Pay by time band", exact=True)).to_be_visible()
    page.wait_for_function("() => window.htmx !== undefined")  # without it the form posts and redirects
    page.get_by_role("button", name="Claim this shift").click()
    # htmx swaps the result into the page: no reload, a success banner.
    expect(page.locator("#claim-panel")).to_contain_text("Booked: Acute Medicine, Beta Hospital")
    expect(page.get_by_role("button", name="Claim this shift")).to_have_count(0)

    page.locator("#claim-panel").get_by_role("link", name="My shifts").click()
    upcoming = page.locator("#upcoming .app-shift-card")
    expect(upcoming).to_have_count(1)
    expect(upcoming).to_contain_text("Beta Hospital")
    expect(upcoming.get_by_role("button", name="Cancel booking")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_claim_works_without_javascript(browser, live_server, world, login, expect):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        login(page, world.doctor.email)
        page.goto("/shifts")
        page.locator(".app-shift-card").first.get_by_role("link").click()
        page.get_by_role("button", name="Claim this shift").click()
        page.wait_for_url(f"{live_server.url}/my-shifts")
        expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Booked: Emergency Department")
    finally:
        context.close()
