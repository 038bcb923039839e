"""Joining the bank on a phone, a doctor's upload and its verification, and staffing's queue at a desk."""
import re
from datetime import timedelta

from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage
from bankapp.timeutil import london_date, now_utc
from tests.factories import Factory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _texts(live_server, number, kind):
    def read():
        rows = db.session.execute(db.select(OutboxMessage.body).filter_by(to=number, kind=kind)
                                  .order_by(OutboxMessage.id)).scalars().all()
        return list(rows)

    return live_server.seed(read)


def test_applying_and_confirming_the_code_on_a_phone(page, live_server, expect):
    live_server.seed(lambda: Factory().world())
    page.goto("/join")
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the bank")
    # Everything left blank or wrong is named beside its field.
    page.get_by_label("GMC number").fill("12345")
    page.get_by_role("button", name="Send my application").click()
    for field in ("name", "email", "mobile", "gmc_number", "grade", "site_ids"):
        expect(page.locator(f"#{field}-error")).to_be_visible()
    expect(page.locator("#gmc_number-error")).to_contain_text("7 digits")
    # A file that is not what it says is refused beside it, and the rest is kept.
    page.get_by_label("Full name").fill("Dr Nia Roberts")
    page.get_by_label("Email address").fill("nia.roberts@nhs.net")
    page.get_by_label("Mobile number").fill("07700 900555")
    page.get_by_label("GMC number").fill("7123456")
    page.get_by_label("Grade").select_option("ST3")
    page.get_by_label("Alpha Hospital").check()
    page.locator("#dbs_file").set_input_files({"name": "dbs.pdf", "mimeType": "application/pdf",
                                               "buffer": b"not really a pdf"})
    page.locator("#dbs_expires_on").fill((london_date(now_utc()) + timedelta(days=400)).isoformat())
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("#dbs_file-error")).to_contain_text("PDF, JPEG or PNG")
    expect(page.get_by_label("Full name")).to_have_value("Dr Nia Roberts")
    page.locator("#dbs_file").set_input_files({"name": "dbs.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_label("Alpha Hospital").check()
    page.get_by_label("Grade").select_option("ST3")
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("#application-status")).to_have_text("Confirm your mobile number")
    # A wrong code is refused and counted; the right one sends the application.
    code = re.search(r"\b(\d{6})\b", _texts(live_server, "+447700900555", "application_code")[-1]).group(1)
    page.get_by_label("Code from the text").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Confirm my mobile").click()
    expect(page.locator("#code-error")).to_contain_text("2 tries left")
    page.get_by_label("Code from the text").fill(code)
    page.get_by_role("button", name="Confirm my mobile").click()
    expect(page.locator("#application-status")).to_have_text("With the staffing team")
    assert "/join/" in _texts(live_server, "+447700900555", "application_received")[0]
    # A document found later is added from the same page; a bad one is refused beside its field.
    page.get_by_label("Document", exact=True).select_option("right_to_work")
    page.get_by_label("Valid until").fill((london_date(now_utc()) + timedelta(days=700)).isoformat())
    page.get_by_label("File", exact=True).set_input_files({"name": "passport.pdf", "mimeType": "application/pdf",
                                                           "buffer": b"not really a pdf"})
    page.get_by_role("button", name="Upload document").click()
    expect(page.locator("#file-error")).to_contain_text("PDF, JPEG or PNG")
    page.get_by_label("File", exact=True).set_input_files({"name": "passport.png", "mimeType": "image/png",
                                                           "buffer": PNG})
    page.get_by_role("button", name="Upload document").click()
    expect(page.get_by_text("is uploaded")).to_be_visible()
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("DBS check, Right to work check")


def test_a_doctor_uploads_renewal_evidence_and_staffing_verifies_it(page, desktop_page, live_server, login, expect):
    world = live_server.seed(lambda: Factory().world())
    login(page, world.doctor.email)
    page.goto("/me/documents")
    row = page.locator("#document-dbs")
    expect(row).to_contain_text("Valid")
    page.get_by_label("Document", exact=True).select_option("dbs")
    expiry = london_date(now_utc()) + timedelta(days=1000)
    page.get_by_label("Valid until").fill(expiry.isoformat())
    page.get_by_label("File").set_input_files({"name": "renewal.txt", "mimeType": "text/plain", "buffer": PNG})
    page.get_by_role("button", name="Upload document").click()
    expect(page.get_by_text("is uploaded")).to_be_visible()
    expect(row).to_contain_text("Awaiting verification")

    login(desktop_page, world.staffing_a.email)
    desktop_page.goto("/staffing/documents")
    card = desktop_page.locator(".app-document-card", has_text="Dr Default")
    expect(card).to_contain_text("DBS check")
    expect(card.locator("img.app-document-image")).to_be_visible()
    card.get_by_role("button", name="Verify").click()
    expect(desktop_page.get_by_text("Dr Default's DBS check is verified.")).to_be_visible()
    expect(desktop_page.locator("#no-documents")).to_be_visible()

    page.reload()
    expect(row).to_contain_text("Valid until " + expiry.strftime("%-d %b %Y"))


def test_staffing_checks_and_approves_an_application_at_a_desk(desktop_page, live_server, login, expect):
    def scene():
        from bankapp.joining import applications

        w = Factory().world()
        application = applications.apply(name="Dr Leah Brennan", email="leah.brennan@nhs.net",
                                         mobile="+447700900666", gmc_number="7222222", grade="ST3",
                                         site_ids=[w.site_a.id, w.site_b.id])
        application.status = "submitted"
        return w

    world = live_server.seed(scene)
    page = desktop_page
    login(page, world.staffing_a.email)
    page.goto("/staffing/applications")
    page.get_by_role("link", name="Dr Leah Brennan").click()
    # Approving before the checks lists each one left.
    page.get_by_role("button", name="Approve and make the account").click()
    expect(page.locator(".nhsuk-error-summary:not([hidden])")).to_contain_text("Not done yet: two references recorded.")
    for label in ("Documents verified", "Two references recorded", "Right to work and ID seen", "Grade confirmed"):
        page.get_by_label(label).check()
    page.get_by_label("ESR assignment number (when known)").fill("10949777-2")
    page.get_by_role("button", name="Save the checklist").click()
    expect(page.get_by_text("The checklist is saved.")).to_be_visible()
    page.get_by_label("Add a note").fill("Both referees called back.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Both referees called back.")).to_be_visible()
    page.get_by_label("Beta Hospital").uncheck()  # approved for Alpha only
    page.get_by_role("button", name="Approve and make the account").click()
    expect(page.get_by_text("Approved: the doctor's account is made")).to_be_visible()
    expect(page.locator("#application-status")).to_have_text("Approved")
    link = _texts(live_server, "+447700900666", "application_approved")[0]
    assert "/welcome/" in link
