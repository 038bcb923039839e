"""Reports in a phone and a desktop browser: the executive dashboard and the charts (screenshots kept)."""
from datetime import datetime, time, timedelta

import pytest

from bankapp.audit.services import record_breach
from bankapp.timeutil import LONDON, london_date, now_utc
from tests.browser.conftest import ARTIFACTS
from tests.factories import Factory, make_booking, make_shift


def _build():
    """This week: two shifts filled early on Monday, one unfilled starting in an hour, one breach."""
    w = Factory().world()
    now = now_utc()
    monday = london_date(now) - timedelta(days=london_date(now).weekday())
    for hour in (1, 2):
        start = datetime.combine(monday, time(hour), tzinfo=LONDON)
        make_booking(make_shift(department=w.dept_a, grade=w.grades["ST3"], start=start,
                                end=start + timedelta(hours=1), posted_by=w.coordinator_a), w.doctor)
    urgent = now + timedelta(hours=1)
    make_shift(department=w.dept_b, grade=w.grades["ST3"], start=urgent, end=urgent + timedelta(hours=8),
               posted_by=w.coordinator_b)
    record_breach("wtr_override", site_id=w.site_a.id, approved_by=w.coordinator_a, reason="Cover needed",
                  at=datetime.combine(monday, time(3), tzinfo=LONDON))
    # Only shifts that have ended count: the urgent one has not (and may yet be filled).
    ended = sum(datetime.combine(monday, time(hour + 1), tzinfo=LONDON) <= now for hour in (1, 2))
    expected = (("100.0%", "2 of the 2 shifts worked so far this week were filled") if ended == 2 else
                ("–", "No shift of this week has ended yet") if not ended else
                ("100.0%", "1 of the 1 shift worked so far this week was filled"))
    return w, expected


@pytest.fixture
def seeded(live_server):
    return live_server.seed(_build)


def test_executive_dashboard_on_a_phone(page, seeded, login, expect):
    world, (rate, filled) = seeded
    login(page, world.executive.email)
    section = page.locator("section.app-dashboard")
    expect(section.get_by_role("heading", name="This week at a glance")).to_be_visible()
    expect(page.locator("#dash-fill-rate")).to_contain_text(rate)
    expect(page.locator("#dash-fill-rate")).to_contain_text(filled)
    expect(page.locator("#dash-urgent .app-dashboard__figure")).to_have_text("1")
    expect(page.locator("#dash-pending .app-dashboard__figure")).to_have_text("0")
    expect(page.locator("#dash-breaches .app-dashboard__figure")).to_have_text("1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reports-dashboard-phone.png"), full_page=True)
    page.locator("#dash-breaches a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Breaches")
    expect(page.locator("#breach-total")).to_have_text("1")


def test_fill_rate_charts_draw_under_the_csp(desktop_page, seeded, login, expect):
    world, _ = seeded
    errors = []
    desktop_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(desktop_page, world.executive.email)
    desktop_page.get_by_role("link", name="Reports").first.click()
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text("Fill rates and spend")
    for chart in ("chart-fill-trend", "chart-fill-groups", "chart-spend"):
        expect(desktop_page.locator(f"#{chart}")).to_have_attribute("data-drawn", "true")
    expect(desktop_page.get_by_role("table", name="Fill rate by week, per site")).to_be_visible()
    desktop_page.screenshot(path=str(ARTIFACTS / "reports-fill-rates-desktop.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e]


def test_breach_charts_on_a_phone(page, seeded, login, expect):
    world, _ = seeded
    login(page, world.executive.email)
    page.goto("/reports/breaches")
    expect(page.locator("#chart-breach-types")).to_have_attribute("data-drawn", "true")
    expect(page.get_by_role("table", name="Breaches by type")).to_contain_text("Working-time override")
    page.screenshot(path=str(ARTIFACTS / "reports-breaches-phone.png"), full_page=True)


def test_trend_lines_differ_by_marker_and_dash_in_the_drawn_chart(desktop_page, seeded, login, expect):
    world, _ = seeded
    login(desktop_page, world.executive.email)
    desktop_page.goto("/reports/fill-rates")
    expect(desktop_page.locator("#chart-fill-trend")).to_have_attribute("data-drawn", "true")
    styles = desktop_page.evaluate("""() => Chart.getChart(document.getElementById("chart-fill-trend"))
        .data.datasets.map(d => [d.label, d.pointStyle, JSON.stringify(d.borderDash), d.borderColor])""")
    assert [s[0] for s in styles] == ["Alpha Hospital", "Beta Hospital"]
    for index in (1, 2, 3):  # marker, dash and colour each tell the two lines apart
        assert styles[0][index] != styles[1][index]
    expect(desktop_page.locator("#report-filters")).not_to_have_attribute("open", "")
    desktop_page.locator("#report-filters summary").click()
    desktop_page.get_by_label("Group by").select_option("week")
    desktop_page.get_by_role("button", name="Show report").click()
    expect(desktop_page.locator("#report-filters")).to_have_attribute("open", "")
    expect(desktop_page.get_by_label("Group by")).to_have_value("week")


def test_spend_and_forecast_pages_draw_their_charts_and_download_csv(desktop_page, seeded, login, expect):
    world, _ = seeded
    errors = []
    desktop_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(desktop_page, world.executive.email)
    desktop_page.goto("/reports/fill-rates")
    desktop_page.get_by_role("navigation", name="Reports").get_by_role("link", name="Spend").click()
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text("Bank and agency spend")
    expect(desktop_page.get_by_role("table", name="Spend and hours by site")).to_be_visible()
    with desktop_page.expect_download() as download:
        desktop_page.get_by_role("link", name="Download this table as CSV").click()
    assert download.value.suggested_filename.startswith("spend-")
    desktop_page.get_by_role("navigation", name="Reports").get_by_role("link", name="Unfilled shifts forecast").click()
    expect(desktop_page.get_by_role("heading", level=1)).to_have_text("Shifts likely to go unfilled")
    expect(desktop_page.locator("#chart-forecast")).to_have_attribute("data-drawn", "true")
    expect(desktop_page.locator("#backtest")).to_contain_text("mean absolute error")
    with desktop_page.expect_download() as download:
        desktop_page.get_by_role("link", name="Download the forecast as CSV").click()
    assert download.value.suggested_filename.startswith("forecast-")
    desktop_page.screenshot(path=str(ARTIFACTS / "reports-forecast-desktop.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e]


def test_executive_home_links_to_the_forecast(page, seeded, login, expect):
    world, _ = seeded
    login(page, world.executive.email)
    expect(page.locator("#dash-likely-unfilled")).to_contain_text("Likely to go unfilled this week")
    page.locator("#dash-likely-unfilled a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shifts likely to go unfilled")
