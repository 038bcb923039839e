"""Text alerts on a phone: a doctor sets up alerts and a test text; an admin
finds a failed text and retries it."""
from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage
from tests.factories import Factory


def _no_sideways_scroll(page):
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_doctor_sets_up_text_alerts_and_asks_for_a_test_text(page, live_server, login, expect):
    world = live_server.seed(lambda: Factory().world())
    login(page, world.doctor.email)

    page.goto("/profile/alerts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Text alerts")
    page.get_by_label("Mobile number").fill("0770090")
    page.get_by_label("Send me texts about shifts and my bookings").check()
    expect(page.get_by_label("Wednesday")).to_be_checked()  # every day until they choose
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(day).uncheck()
    page.get_by_role("button", name="Save alert settings").click()
    expect(page.locator("#mobile-error")).to_contain_text("Enter a mobile number like 07700 900123")
    expect(page.locator(".nhsuk-error-summary a[href='#mobile']")).to_be_visible()
    expect(page.get_by_label("Saturday")).to_be_checked()
    expect(page.get_by_label("Friday")).not_to_be_checked()
    assert _no_sideways_scroll(page)

    page.get_by_label("Mobile number").fill("07700 900456")
    page.get_by_role("button", name="Save alert settings").click()
    expect(page.get_by_text("Your text alert settings are saved.")).to_be_visible()
    expect(page.get_by_label("Mobile number")).to_have_value("+447700900456")
    expect(page.get_by_label("Sunday")).to_be_checked()
    expect(page.get_by_label("Monday")).not_to_be_checked()

    page.get_by_role("button", name="Send me a test message").click()
    expect(page.get_by_text("A test text is on its way to +447700900456.")).to_be_visible()
    assert _no_sideways_scroll(page)


def test_admin_finds_a_failed_text_and_retries_it(page, live_server, login, expect):
    def seed():
        world = Factory().world()
        db.session.add_all([
            OutboxMessage(to="+447700900321", body="Staff Bank reminder: your shift tomorrow", kind="reminder",
                          status="failed", attempts=1,
                          last_error="HTTP 400, Twilio error 21211: The 'To' number is not a valid phone number."),
            OutboxMessage(to="+447700900654", body="Staff Bank: you are booked", kind="booking_confirmed",
                          status="sent", attempts=1, provider_sid="local-1"),
        ])
        return world

    world = live_server.seed(seed)
    login(page, world.admin.email)
    page.goto("/admin/messages")
    expect(page.locator(".app-message-list")).to_contain_text("Staff Bank: you are booked")
    page.get_by_label("Status").select_option("failed")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".app-message-list")).not_to_contain_text("you are booked")
    expect(page.locator(".app-message-list")).to_contain_text("Twilio error 21211")
    assert _no_sideways_scroll(page)
    page.get_by_role("button", name="Retry message").click()
    expect(page.get_by_text("is queued again.")).to_be_visible()
    page.get_by_label("Status").select_option("queued")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".app-message-list")).to_contain_text("your shift tomorrow")
