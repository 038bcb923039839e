"""On a phone, the shift board shows 25 shifts a page; Next and Previous keep the doctor's filters."""
from datetime import timedelta

import pytest

from bankapp.timeutil import now_utc
from tests.factories import Factory, make_shift
from tests.rates.cards import make_card


def _build():
    world = Factory().world()
    make_card(world.admin)
    first = now_utc().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    for i in range(30):
        start = first + timedelta(hours=5 * i)
        make_shift(department=world.dept_b, grade=world.grades["ST3"], start=start, end=start + timedelta(hours=4),
                   posted_by=world.coordinator_b)
    make_shift(department=world.dept_a, grade=world.grades["ST3"], start=first, end=first + timedelta(hours=4),
               posted_by=world.coordinator_a)
    return world


@pytest.fixture
def world(live_server):
    return live_server.seed(_build)


def test_doctor_pages_through_a_filtered_board(page, world, login, expect):
    login(page, world.doctor.email)
    page.goto("/shifts")
    expect(page.get_by_role("link", name="All open shifts (31)")).to_be_visible()
    expect(page.locator("#shift-count")).to_have_text("Soonest first, 25 a page.")
    expect(page.locator(".app-shift-card")).to_have_count(25)

    page.get_by_text("Filter shifts").click()
    page.select_option("#site_id", label="Beta Hospital")
    page.get_by_role("button", name="Show shifts").click()
    expect(page.get_by_role("link", name="All open shifts (30)")).to_be_visible()
    first_page = page.locator(".app-shift-card").first.get_attribute("id")

    page.get_by_role("link", name="Next page").click()
    expect(page.locator(".app-shift-card")).to_have_count(5)
    expect(page.locator(".app-shift-card").first).to_contain_text("Beta Hospital")
    assert f"site_id={world.site_b.id}" in page.url
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="Previous page").click()
    expect(page.locator(".app-shift-card")).to_have_count(25)
    expect(page.locator(".app-shift-card").first).to_have_attribute("id", first_page)
    expect(page.get_by_role("link", name="Previous page")).to_have_count(0)
