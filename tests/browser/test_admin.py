"""An administrator sets up a site and a doctor from a phone."""
from datetime import timedelta

from bankapp.timeutil import london_date, now_utc
from tests.factories import Factory


def test_admin_adds_site_and_doctor_with_document_on_phone(page, live_server, login, expect):
    world = live_server.seed(lambda: Factory().world())
    login(page, world.admin.email)

    # A site code already in use is refused next to the field, then corrected.
    page.goto("/admin/sites")
    page.get_by_label("Site code").fill("AAA")
    page.get_by_label("Site name").fill("Gamma Hospital")
    page.get_by_role("button", name="Add site").click()
    expect(page.locator("#code-error")).to_contain_text("A site with code AAA already exists.")
    expect(page.locator(".nhsuk-error-summary a[href='#code']")).to_be_visible()
    expect(page.get_by_label("Site name")).to_have_value("Gamma Hospital")
    page.get_by_label("Site code").fill("GAM")
    page.get_by_role("button", name="Add site").click()
    expect(page.get_by_text("Site GAM – Gamma Hospital added.")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Gamma Hospital")

    # A doctor who works only at the new site.
    page.goto("/admin/users")
    page.get_by_label("Full name").fill("Dr Kwame Mensah")
    page.get_by_label("Email address").fill("kwame.mensah@test.nhs.uk")
    page.get_by_label("Starting password").fill("a-long-secret-9")
    page.get_by_label("Doctor", exact=True).check()
    page.get_by_label("Gamma Hospital (GAM)").check()
    page.get_by_label("Grade").select_option("ST3")
    page.get_by_label("Mobile number").fill("+447700900456")
    page.get_by_label("ESR assignment number").fill("20949595-1")
    page.get_by_label("GMC number").fill("7654321")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr Kwame Mensah")
    expect(page.get_by_text("Dr Kwame Mensah added.")).to_be_visible()
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Gamma Hospital")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("20949595-1")

    # Their DBS check, valid for a year.
    expiry = london_date(now_utc()) + timedelta(days=365)
    page.get_by_label("Document", exact=True).select_option("dbs")
    page.get_by_label("Expiry date").fill(expiry.isoformat())
    page.get_by_role("button", name="Add document").click()
    expect(page.get_by_text("DBS check added for Dr Kwame Mensah.")).to_be_visible()
    row = page.locator(".app-documents .nhsuk-summary-list__row", has_text="DBS check")
    expect(row).to_contain_text(expiry.strftime("%-d %b %Y"))
    expect(row.locator(".app-tag--document-valid")).to_have_text("Valid")


def test_admin_changes_a_doctors_details_and_removes_a_document_on_phone(page, live_server, login, expect):
    world = live_server.seed(lambda: Factory().world())
    login(page, world.admin.email)
    page.goto(f"/admin/users/{world.doctor.id}")

    # A mobile number in the wrong form is refused next to the field; the details stay open with what was typed.
    page.get_by_text("Change Dr Default's details").click()
    page.get_by_label("Grade").select_option("CONS")
    page.get_by_label("Mobile number").fill("07700 900123")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator("#mobile-error")).to_contain_text("E.164")
    expect(page.locator(".nhsuk-error-summary a[href='#mobile']")).to_be_visible()
    expect(page.get_by_label("Mobile number")).to_have_value("07700 900123")
    expect(page.locator(".nhsuk-summary-list").first).to_contain_text("ST3")

    # Corrected: the promotion is saved.
    page.get_by_label("Mobile number").fill("+447700900999")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Dr Default's details are saved.")).to_be_visible()
    summary = page.locator(".nhsuk-summary-list").first
    expect(summary).to_contain_text("CONS")
    expect(summary).to_contain_text("+447700900999")

    # A DBS record entered in error is removed after confirming.
    page.once("dialog", lambda dialog: dialog.accept())
    row = page.locator(".app-documents .nhsuk-summary-list__row", has_text="DBS check")
    row.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("removed from Dr Default's record.")).to_be_visible()
    expect(page.locator(".app-documents .nhsuk-summary-list__row", has_text="DBS check")).to_have_count(0)
