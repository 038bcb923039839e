"""A coordinator at a desk searches for a doctor who can take a shift, books one, and texts the others first
counting who would get the text."""
from datetime import datetime, time, timedelta

import pytest

from bankapp.timeutil import LONDON, london_date, now_utc
from tests.factories import Factory, make_booking, make_shift
from tests.rates.cards import make_card


def _build():
    from bankapp.shifts.services import post_shift

    factory = Factory()
    world = factory.world()
    make_card(world.admin)
    day = london_date(now_utc()) + timedelta(days=6)
    shift = post_shift(actor=world.coordinator_a, department=world.dept_a, grade=world.grades["ST3"],
                       start=datetime.combine(day, time(8), tzinfo=LONDON),
                       end=datetime.combine(day, time(18), tzinfo=LONDON))
    factory.doctor("ST3", name="Dr Priya Shah", sms_opt_in=True)
    factory.doctor("ST3", name="Dr Priya Shah", sites=[world.site_b], sms_opt_in=True)
    tired = factory.doctor("CONS", name="Dr Tom Night", sms_opt_in=True)
    before = make_shift(department=world.dept_b, grade=world.grades["ST3"],
                        start=datetime.combine(day - timedelta(days=1), time(14), tzinfo=LONDON),
                        end=datetime.combine(day - timedelta(days=1), time(23), tzinfo=LONDON),
                        posted_by=world.coordinator_b)
    make_booking(before, tired)
    factory.doctor("FY1", name="Dr Jo Junior", sms_opt_in=True)
    return world, shift.id


@pytest.fixture
def scene(live_server):
    return live_server.seed(_build)


def test_coordinator_finds_who_can_take_it_and_books_them(desktop_page, scene, login, expect):
    page = desktop_page
    world, shift_id = scene
    login(page, world.coordinator_a.email)
    page.goto(f"/coordinator/shifts/{shift_id}")
    cards = page.locator(".app-candidate")
    expect(cards.first).to_contain_text("Can take it")
    page.fill("#q", "priya")
    page.get_by_role("button", name="Search").click()
    expect(cards).to_have_count(2)
    expect(page.locator("#candidate-count")).to_contain_text("1 of 2 doctors matching")
    expect(cards.nth(1)).to_contain_text("Dr Priya Shah is not set up to work at Alpha Hospital")
    expect(cards.nth(0)).to_contain_text("GMC number")
    page.fill("#q", "night")
    page.get_by_role("button", name="Search").click()
    expect(cards.first).to_contain_text("Dr Tom Night would have only 9 hours' rest")
    cards.first.get_by_role("button", name="Book with a written reason: Dr Tom Night").click()
    page.fill("#override_reason", "The only consultant free; the unit cannot open without one")
    page.get_by_role("button", name="Book Dr Tom Night anyway").click()
    expect(page.get_by_text("Dr Tom Night is booked on this shift.")).to_be_visible()


def test_coordinator_sees_how_many_will_be_texted_then_texts_them(desktop_page, scene, login, expect):
    page = desktop_page
    world, shift_id = scene
    login(page, world.coordinator_a.email)
    page.goto(f"/coordinator/shifts/{shift_id}")
    expect(page.locator("#invite-count")).to_contain_text("1 doctor who can take this shift now and takes texts")
    page.fill("#message", "Theatres are short on Monday")
    page.get_by_role("button", name="Text 1 doctor").click()
    expect(page.get_by_text("1 doctor texted about this shift.")).to_be_visible()
    expect(page.locator("#invite-count")).to_contain_text("No doctor who takes texts can take this shift now")
