"""Foundation pages in a phone browser: login per role, logout, bad password, 403."""
import pytest

from bankapp.auth.models import ROLE_LABELS
from tests.factories import Factory

ROLE_USERS = {
    "doctor": "doctor",
    "coordinator": "coordinator_a",
    "approver": "approver_a",
    "executive": "executive",
    "chief_executive": "chief_executive",
    "agency": "agency_user1",
    "payroll": "payroll",
    "admin": "admin",
}


@pytest.fixture
def world(live_server):
    """The factories' small trust, built in the live server's database."""
    return live_server.seed(lambda: Factory().world())


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_each_role_sees_home_with_name_and_role_in_header(page, world, login, expect, role):
    user = getattr(world, ROLE_USERS[role])
    login(page, user.email)
    header = page.locator("header.nhsuk-header")
    expect(header.locator(".app-header__name")).to_have_text(user.name)
    expect(header.locator(".app-header__roles")).to_contain_text(ROLE_LABELS[role])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.name}")


def test_logout_returns_to_login_page(page, world, login, expect, live_server):
    login(page, world.doctor.email)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login")
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/login?next=%2F")


def test_wrong_password_shows_one_message(page, world, expect, live_server):
    page.goto("/login")
    page.fill("#email", world.doctor.email)
    page.fill("#password", "not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("The email address or password is not right.")).to_have_count(1)
    expect(page.locator(".nhsuk-error-message")).to_have_count(0)
    expect(page.locator(".nhsuk-error-summary:not(#app-live-error)")).to_contain_text("There is a problem")
    expect(page.locator("#email")).to_have_value(world.doctor.email)
    expect(page).to_have_url(f"{live_server.url}/login")


def test_doctor_opening_admin_page_gets_403_page(page, world, login, expect):
    login(page, world.doctor.email)
    response = page.goto("/admin/sites")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have permission to see this page")
