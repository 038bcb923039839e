"""The bank utilisation report: eligibility per site, who worked at more than one, applications, the median."""
from datetime import timedelta

import pytest

from bankapp.extensions import db
from bankapp.joining.models import Application, ApplicationSite
from bankapp.joining.rules import eligibility_band, median_days
from bankapp.timeutil import now_utc
from tests.factories import make_booking, make_shift


def test_median_days_and_bands():
    start = now_utc()
    assert median_days([]) is None
    assert median_days([(start, start + timedelta(days=2)), (start, start + timedelta(days=5)),
                        (start, start + timedelta(days=9))]) == 5.0
    assert median_days([(start, start + timedelta(days=1)), (start, start + timedelta(days=2))]) == 1.5
    assert [eligibility_band(n) for n in (1, 2, 3, 4)] == ["1", "2", "3+", "3+"]


@pytest.fixture
def scene(world, factory):
    """Doctors: world.doctor (every site = 2), one at A only, one at B only, one at A and B.
    The A-and-B doctor worked at both sites in the period. Applications: one approved after 4 days (A), one
    rejected (A and B), one awaiting its mobile (B)."""
    only_a = factory.doctor(sites=[world.site_a])
    factory.doctor(sites=[world.site_b])
    both = factory.doctor(sites=[world.site_a, world.site_b])
    factory.doctor(sites=[world.site_a]).active = False  # inactive: not counted
    now = now_utc().replace(minute=0, second=0, microsecond=0)
    for dept, days in ((world.dept_a, 10), (world.dept_b, 5)):
        start = now - timedelta(days=days)
        make_booking(make_shift(department=dept, grade=world.grades["ST3"], start=start,
                                end=start + timedelta(hours=8), posted_by=world.coordinator_a), both)
    start = now - timedelta(days=3)
    make_booking(make_shift(department=world.dept_a, grade=world.grades["ST3"], start=start,
                            end=start + timedelta(hours=8), posted_by=world.coordinator_a), only_a)

    def application(n, status, sites, applied_days_ago, decided_after=None):
        created = now - timedelta(days=applied_days_ago)
        row = Application(token=f"t{n}", status=status, name=f"A{n}", email=f"a{n}@nhs.net", mobile="+447700900100",
                          gmc_number=f"71000{n:02d}", grade_id=world.grades["ST3"].id, created_at=created,
                          decided_at=created + timedelta(days=decided_after) if decided_after else None,
                          site_links=[ApplicationSite(site_id=s.id) for s in sites])
        db.session.add(row)

    application(1, "approved", [world.site_a], 20, decided_after=4)
    application(2, "rejected", [world.site_a, world.site_b], 15, decided_after=2)
    application(3, "awaiting_mobile", [world.site_b], 1)
    db.session.commit()
    return world


def test_per_site_rows_and_the_trust_total(api, scene):
    resp = api(scene.executive).get("/api/v1/reports/bank-utilisation")
    assert resp.status_code == 200
    body = resp.get_json()
    rows = {row["site"]: row for row in body["items"]}
    alpha, beta, total = rows["Alpha Hospital"], rows["Beta Hospital"], body["total"]
    # Alpha: world.doctor (2 sites), only_a (1), both (2). Beta: world.doctor, only_b, both.
    assert (alpha["active_doctors"], alpha["eligible_1"], alpha["eligible_2"]) == (3, 1, 2)
    assert (beta["active_doctors"], beta["eligible_1"], beta["eligible_2"]) == (3, 1, 2)
    assert (total["active_doctors"], total["eligible_1"], total["eligible_2"], total["eligible_3_plus"]) == (4, 2, 2, 0)
    assert alpha["multi_site_workers"] == beta["multi_site_workers"] == total["multi_site_workers"] == 1
    assert alpha["applications"]["approved"] == 1 and alpha["applications"]["rejected"] == 1
    assert beta["applications"]["awaiting_mobile"] == 1 and total["applications"]["rejected"] == 1
    assert alpha["median_days_to_approval"] == 4.0 and beta["median_days_to_approval"] is None
    assert total["median_days_to_approval"] == 4.0 and total["site_id"] is None


def test_staffing_sees_its_sites_and_the_csv_matches(api, scene):
    body = api(scene.staffing_a).get("/api/v1/reports/bank-utilisation").get_json()
    assert [row["site"] for row in body["items"]] == ["Alpha Hospital"]
    assert body["total"]["active_doctors"] == 4
    csv = api(scene.executive).get("/api/v1/reports/bank-utilisation?format=csv")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("site_id,site,active_doctors,eligible_1,eligible_2,eligible_3_plus")
    assert lines[-1].startswith(",Trust total,4,2,2,0,1,") and lines[-1].endswith(",4.0")
    assert api(scene.coordinator_a).get("/api/v1/reports/bank-utilisation").status_code == 403


def test_a_period_outside_the_work_counts_no_one(api, scene):
    old = api(scene.executive).get("/api/v1/reports/bank-utilisation?from=2025-01-01&to=2025-02-01").get_json()
    assert old["total"]["multi_site_workers"] == 0 and old["total"]["median_days_to_approval"] is None
    assert old["total"]["active_doctors"] == 4  # eligibility is as it stands today


def test_the_page_shows_the_table_and_chart(client, scene):
    from tests.factories import PASSWORD

    client.post("/login", data={"email": scene.staffing_a.email, "password": PASSWORD})
    page = client.get("/reports/bank-utilisation")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "chart-utilisation" in text and "Trust total" in text
    assert client.get("/reports/bank-utilisation?from=nonsense").status_code == 422
