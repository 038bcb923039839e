"""A doctor's phone (390×844): the board shows the shifts they can take, the shift page puts the Claim button on
the first screen and warns inside the cancel cut-off, a forgotten password comes back by SMS code, and the
last board stays readable offline (and is gone after logout)."""
import re
from datetime import datetime, time, timedelta

import pytest

from bankapp.timeutil import LONDON, london_date, now_utc
from tests.factories import Factory, make_booking, make_shift
from tests.rates.cards import make_card

PHONE_HEIGHT = 844


def _at(day, hour):
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def _build():
    from bankapp.org.services import update_site
    from bankapp.shifts.services import post_shift

    world = Factory().world()
    make_card(world.admin)
    update_site(world.site_a, {"staffing_phone": "01245 362000"}, actor=world.admin)
    day = london_date(now_utc()) + timedelta(days=5)
    booked = make_shift(department=world.dept_b, grade=world.grades["ST3"], start=_at(day, 8), end=_at(day, 17),
                        posted_by=world.coordinator_b)
    make_booking(booked, world.doctor)
    ids = {
        "clash": post_shift(actor=world.coordinator_a, department=world.dept_a, grade=world.grades["ST3"],
                            start=_at(day, 9), end=_at(day, 20)).id,
        "fine": post_shift(actor=world.coordinator_a, department=world.dept_a, grade=world.grades["ST3"],
                           start=_at(day + timedelta(days=2), 8), end=_at(day + timedelta(days=2), 18)).id,
    }
    soon = now_utc().replace(minute=0, second=0, microsecond=0) + timedelta(hours=30)
    ids["soon"] = post_shift(actor=world.coordinator_a, department=world.dept_a, grade=world.grades["ST3"],
                             start=soon, end=soon + timedelta(hours=8)).id
    return world, ids


@pytest.fixture
def scene(live_server):
    return live_server.seed(_build)


def _in_first_screen(locator):
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE_HEIGHT


def test_the_board_lists_the_shifts_i_can_take_and_the_others_say_why(page, scene, login, expect):
    world, ids = scene
    login(page, world.doctor.email)
    page.goto("/shifts")
    cards = page.locator(".app-shift-card")
    expect(cards).to_have_count(2)  # the fine one and the one inside the cut-off
    expect(page.locator(f"#shift-{ids['clash']}")).to_have_count(0)
    page.get_by_role("link", name="All open shifts (3)").click()
    clash = page.locator(f"#shift-{ids['clash']}")
    expect(clash).to_contain_text("You cannot take this shift")
    expect(clash).to_contain_text("This overlaps your booked shift: Beta Hospital")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_claim_from_the_first_screen_and_the_page_shows_the_booking(page, scene, login, expect):
    world, ids = scene
    login(page, world.doctor.email)
    page.goto(f"/shifts/{ids['fine']}")
    page.wait_for_function("() => window.htmx !== undefined")
    claim = page.get_by_role("button", name="Claim this shift")
    for part in (page.get_by_role("heading", level=1), page.locator(".app-shift-head__when"),
                 page.locator(".app-shift-head__total"), claim):
        assert _in_first_screen(part), part
    expect(page.locator("#shift-status")).to_have_text("Open")
    expect(page.locator("#pay-bands table")).not_to_be_visible()  # folded
    claim.click()
    expect(page.locator("#claim-panel")).to_contain_text("Booked: Emergency Department, Alpha Hospital")
    expect(page.locator("#claim-panel")).to_contain_text("You can cancel it yourself in My shifts until")
    expect(page.locator("#shift-status")).to_have_text("Booked")


def test_inside_the_cut_off_a_warning_before_and_the_staffing_number_after(page, scene, login, expect):
    world, ids = scene
    login(page, world.doctor.email)
    page.goto(f"/shifts/{ids['soon']}")
    page.wait_for_function("() => window.htmx !== undefined")
    warning = page.locator(".app-cutoff-warning")
    expect(warning).to_contain_text("You cannot cancel this shift online")
    expect(warning).to_contain_text("call Alpha Hospital medical staffing on 01245 362000")
    assert _in_first_screen(page.get_by_role("button", name="Claim this shift"))
    page.get_by_role("button", name="Claim this shift").click()
    expect(page.locator(".app-staffing-phone")).to_contain_text(
        "If you cannot work it, call Alpha Hospital medical staffing on 01245 362000.")


def test_a_forgotten_password_comes_back_by_a_texted_code(page, scene, live_server, expect):
    from bankapp.extensions import db
    from bankapp.notifications.models import OutboxMessage

    world, _ = scene
    page.goto("/login")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.fill("#email", world.doctor.email)
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_text("a 6-digit code is on its way")).to_be_visible()
    body = live_server.seed(lambda: db.session.execute(
        db.select(OutboxMessage.body).filter_by(kind="password_reset")).scalar_one())
    code = re.search(r"\b(\d{6})\b", body).group(1)
    expect(page.locator("#email")).to_have_value(world.doctor.email)
    page.fill("#code", "000000" if code != "000000" else "111111")
    page.fill("#new_password", "moorhen-lantern-quarry-7")
    page.get_by_role("button", name="Set my new password").click()
    expect(page.locator("#code-error")).to_contain_text("This code is not right, or it has expired.")
    page.fill("#code", code)
    page.fill("#new_password", "moorhen-lantern-quarry-7")
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()
    page.fill("#email", world.doctor.email)
    page.fill("#password", "moorhen-lantern-quarry-7")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_offline_the_last_board_and_my_bookings_stay_and_actions_say_they_need_a_connection(
        page, scene, login, live_server, expect):
    world, ids = scene
    login(page, world.doctor.email)
    page.wait_for_function("async () => (await navigator.serviceWorker.ready) && !!navigator.serviceWorker.controller")
    for path in ("/shifts", "/my-shifts", f"/shifts/{ids['fine']}"):
        page.goto(path)
    made = page.locator("#app-offline p").text_content()
    updated = re.search(r"last updated (\d\d:\d\d)", made).group(1)

    page.context.set_offline(True)
    page.goto("/shifts")
    expect(page.locator("#app-offline")).to_be_visible()
    expect(page.locator("#app-offline")).to_contain_text(f"You're offline — last updated {updated}")
    expect(page.locator(".app-shift-card")).to_have_count(2)
    page.goto("/my-shifts")
    expect(page.locator("#upcoming .app-shift-card")).to_have_count(1)
    page.goto(f"/shifts/{ids['fine']}")
    page.wait_for_function("() => window.htmx !== undefined")
    page.get_by_role("button", name="Claim this shift").click()
    expect(page.locator("#app-live-error")).to_contain_text("You're offline. This needs a connection")
    page.goto("/timesheets")  # never opened: the offline page says so
    expect(page.get_by_role("heading", level=1)).to_have_text("You're offline")

    page.context.set_offline(False)
    page.goto("/shifts")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login")
    # The logout's Clear-Site-Data removed the worker with everything it kept; the login page installs it again.
    page.wait_for_function("async () => (await navigator.serviceWorker.ready) && !!navigator.serviceWorker.controller")
    assert page.evaluate("async () => (await caches.keys()).filter(k => k.includes('pages'))") == []
    page.context.set_offline(True)
    page.goto("/shifts")
    expect(page.get_by_role("heading", level=1)).to_have_text("You're offline")  # nothing of theirs is left
    expect(page.locator(".app-shift-card")).to_have_count(0)


def test_logging_out_without_signal_still_forgets_the_kept_pages(page, scene, login, expect):
    world, _ = scene
    login(page, world.doctor.email)
    page.wait_for_function("async () => (await navigator.serviceWorker.ready) && !!navigator.serviceWorker.controller")
    page.goto("/shifts")
    page.context.set_offline(True)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're offline")
    page.goto("/shifts")
    expect(page.get_by_role("heading", level=1)).to_have_text("You're offline")
    expect(page.locator(".app-shift-card")).to_have_count(0)
