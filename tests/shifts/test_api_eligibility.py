"""Eligibility in the API: `can_claim` and `reasons` on every shift a doctor sees, `?eligible=true`, and
`cancel_by` on bookings."""
from datetime import timedelta

from bankapp.extensions import db
from bankapp.org.policies import update_policy
from tests.factories import make_shift

from .conftest import NOW, booked, post
from .test_board_statements import bearer, statements_for


def test_every_shift_a_doctor_sees_says_whether_a_claim_would_book_it(market, api):
    booked(market, market.doctor, "2026-10-05T08:00", "2026-10-05T20:00", department=market.dept_b)
    clash = post(api, market, "2026-10-05T19:00", "2026-10-05T23:00")
    fine = post(api, market, "2026-10-07T08:00", "2026-10-07T20:00")
    items = {s["id"]: s for s in api(market.doctor).get("/api/v1/shifts").get_json()["items"]}
    assert items[fine["id"]]["can_claim"] is True and items[fine["id"]]["reasons"] == []
    assert items[clash["id"]]["can_claim"] is False
    assert [r["code"] for r in items[clash["id"]]["reasons"]] == ["overlap"]
    mine = [s for s in items.values() if s["status"] == "booked"]
    assert len(mine) == 1 and mine[0]["reasons"] == [
        {"code": "not_available", "message": "This shift has already been booked."}]
    one = api(market.doctor).get(f"/api/v1/shifts/{clash['id']}").get_json()
    assert one["can_claim"] is False and one["reasons"] == items[clash["id"]]["reasons"]
    refused = api(market.doctor).post(f"/api/v1/shifts/{clash['id']}/claim").get_json()
    assert refused["reasons"] == one["reasons"]  # the same codes and words as the claim


def test_other_roles_get_no_claim_fields_and_no_eligible_shifts(market, api):
    post(api, market, "2026-10-07T08:00", "2026-10-07T20:00")
    coordinator = api(market.coordinator_a)
    item = coordinator.get("/api/v1/shifts").get_json()["items"][0]
    assert "can_claim" not in item and "reasons" not in item
    assert "can_claim" not in coordinator.get(f"/api/v1/shifts/{item['id']}").get_json()
    assert coordinator.get("/api/v1/shifts?eligible=true").get_json() == {"items": [], "next": None}


def test_eligible_true_lists_only_claimable_shifts_and_pages_past_the_others(market, api):
    booked(market, market.doctor, "2026-10-05T08:00", "2026-10-05T20:00", department=market.dept_b)
    ids = []
    for day in range(5, 12):  # by id: 5 Oct clashes; 6 Oct 06:00 is too soon after it; the rest are fine
        start = "06:00" if day == 6 else "08:00"
        ids.append(post(api, market, f"2026-10-{day:02d}T{start}", f"2026-10-{day:02d}T12:00")["id"])
    claimable = ids[2:]
    doctor = api(market.doctor)
    seen, cursor = [], None
    while True:
        page = doctor.get("/api/v1/shifts", query_string={"eligible": "true", "limit": 2,
                                                           **({"cursor": cursor} if cursor else {})}).get_json()
        assert all(item["can_claim"] for item in page["items"])
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == claimable
    everything = [s["id"] for s in doctor.get("/api/v1/shifts?limit=50").get_json()["items"]]
    assert set(ids) <= set(everything)


def test_eligible_listing_of_mostly_refused_shifts_takes_a_few_reads_not_one_per_shift(market, client):
    # 150 shifts inside the doctor's own booking, then 5 they can take: the first page still costs a few reads.
    booked(market, market.doctor, "2026-09-10T00:00", "2026-09-12T00:00", department=market.dept_b)
    for i in range(150):
        start = NOW + timedelta(days=9, minutes=10 * i)
        make_shift(department=market.dept_a, grade=market.grades["ST3"], start=start, end=start + timedelta(hours=1),
                   posted_by=market.coordinator_a)
    for i in range(5):
        start = NOW + timedelta(days=20 + 2 * i)
        make_shift(department=market.dept_a, grade=market.grades["ST3"], start=start, end=start + timedelta(hours=8),
                   posted_by=market.coordinator_a)
    db.session.commit()
    headers = bearer(market.doctor)
    count, resp = statements_for(client, "/api/v1/shifts?eligible=true&limit=50", headers)
    assert len(resp.get_json()["items"]) == 5
    assert count <= 10


def test_bookings_answer_when_the_doctor_may_cancel_them(market, api):
    later = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    soon = make_shift(department=market.dept_a, grade=market.grades["ST3"], start=NOW + timedelta(hours=30),
                      end=NOW + timedelta(hours=40), posted_by=market.coordinator_a)
    db.session.commit()
    doctor = api(market.doctor)
    assert doctor.post(f"/api/v1/shifts/{later['id']}/claim").get_json()["cancel_by"] == "2026-10-03T08:00:00+01:00"
    inside = doctor.post(f"/api/v1/shifts/{soon.id}/claim").get_json()
    assert inside["cancel_by"] is None  # claimed inside the 48 h cut-off
    listed = {b["shift_id"]: b["cancel_by"] for b in doctor.get("/api/v1/bookings").get_json()["items"]}
    assert listed == {later["id"]: "2026-10-03T08:00:00+01:00", soon.id: None}


def test_cancel_by_follows_the_sites_own_cut_off_and_assignments_carry_it(market, api, factory):
    update_policy(market.site_a.id, {"doctor_cancel_cutoff_hours": 24}, actor=market.admin)
    other = factory.doctor("ST3")
    db.session.commit()
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    resp = api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/assign", json={"doctor_id": other.id})
    assert resp.status_code == 201 and resp.get_json()["cancel_by"] == "2026-10-04T08:00:00+01:00"
