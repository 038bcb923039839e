"""Working across sites: a doctor asks, staffing or that site's coordinator decides, the doctor can then claim."""
from datetime import timedelta

from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage
from bankapp.shifts.booking import claim_reasons
from bankapp.timeutil import london_date, now_utc
from tests.factories import make_shift


def today():
    return london_date(now_utc())


def texts(user_id):
    return db.session.execute(db.select(OutboxMessage.body).filter_by(user_id=user_id, kind="site_request")
                              .order_by(OutboxMessage.id)).scalars().all()


def test_approved_the_doctor_sees_and_can_claim_the_sites_shifts(api, world, factory):
    doctor = factory.doctor(sites=[world.site_b], sms_opt_in=True)
    start = now_utc().replace(minute=0, second=0, microsecond=0) + timedelta(days=5)
    shift = make_shift(department=world.dept_a, grade=world.grades["ST3"], start=start,
                       end=start + timedelta(hours=8), posted_by=world.coordinator_a)
    db.session.commit()
    assert "site_not_enabled" in [r.code for r in claim_reasons(doctor, shift)]
    assert shift.id not in [s["id"] for s in api(doctor).get("/api/v1/shifts").get_json()["items"]]

    resp = api(doctor).post("/api/v1/me/site-requests", json={"site_id": world.site_a.id})
    assert resp.status_code == 201 and resp.get_json()["status"] == "pending"
    req_id = resp.get_json()["id"]
    assert api(doctor).post("/api/v1/me/site-requests", json={"site_id": world.site_a.id}).status_code == 409
    assert [r["id"] for r in api(world.coordinator_a).get("/api/v1/site-requests").get_json()["items"]] == [req_id]
    assert api(world.coordinator_b).get("/api/v1/site-requests").get_json()["items"] == []
    assert api(world.coordinator_b).post(f"/api/v1/site-requests/{req_id}/approve",
                                         json={"induction_on": today().isoformat()}).status_code == 404

    no_induction = api(world.staffing_a).post(f"/api/v1/site-requests/{req_id}/approve", json={})
    assert no_induction.status_code == 422 and "induction_on" in no_induction.get_json()["errors"]
    future = api(world.staffing_a).post(f"/api/v1/site-requests/{req_id}/approve",
                                        json={"induction_on": (today() + timedelta(days=1)).isoformat()})
    assert future.status_code == 422
    ok = api(world.staffing_a).post(f"/api/v1/site-requests/{req_id}/approve",
                                    json={"induction_on": today().isoformat(), "note": "Induction done"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "approved"
    db.session.expire_all()
    assert sorted(doctor.site_ids) == sorted([world.site_a.id, world.site_b.id])
    assert "site_not_enabled" not in [r.code for r in claim_reasons(doctor, shift)]
    assert shift.id in [s["id"] for s in api(doctor).get("/api/v1/shifts").get_json()["items"]]
    assert api(doctor).post(f"/api/v1/shifts/{shift.id}/claim").status_code == 201
    words = texts(doctor.id)
    assert len(words) == 2 and "request to work at Alpha Hospital" in words[0] and "can now work" in words[1]


def test_a_rejection_needs_a_note_and_texts_it(api, world, factory):
    doctor = factory.doctor(sites=[world.site_b], sms_opt_in=True)
    db.session.commit()
    req_id = api(doctor).post("/api/v1/me/site-requests", json={"site_id": world.site_a.id}).get_json()["id"]
    assert api(world.coordinator_a).post(f"/api/v1/site-requests/{req_id}/reject", json={}).status_code == 422
    resp = api(world.coordinator_a).post(f"/api/v1/site-requests/{req_id}/reject",
                                         json={"note": "No induction places this month."})
    assert resp.status_code == 200 and resp.get_json()["status"] == "rejected"
    assert "No induction places this month." in texts(doctor.id)[-1]
    assert api(doctor).get("/api/v1/me/site-requests").get_json()["items"][0]["status"] == "rejected"
    assert doctor.site_ids == [world.site_b.id]
    again = api(world.coordinator_a).post(f"/api/v1/site-requests/{req_id}/approve",
                                          json={"induction_on": today().isoformat()})
    assert again.status_code == 409


def test_a_doctor_who_works_everywhere_or_there_already_has_nothing_to_ask(api, world, factory):
    resp = api(world.doctor).post("/api/v1/me/site-requests", json={"site_id": world.site_a.id})
    assert resp.status_code == 422 and resp.get_json()["reasons"][0]["code"] == "already_enabled"
    doctor_b = factory.doctor(sites=[world.site_b])
    db.session.commit()
    assert api(doctor_b).post("/api/v1/me/site-requests", json={"site_id": world.site_b.id}).status_code == 422
    unknown = api(doctor_b).post("/api/v1/me/site-requests", json={"site_id": 999999})
    assert unknown.status_code == 422 and "site_id" in unknown.get_json()["errors"]


def test_nobody_decides_a_request_about_themselves(api, world, factory):
    both = factory.user(("doctor", "coordinator"), sites=[world.site_b], grade="ST3")
    db.session.commit()
    req_id = api(both).post("/api/v1/me/site-requests", json={"site_id": world.site_a.id}).get_json()["id"]
    # Made coordinator of site A too, they still may not decide their own request.
    from bankapp.auth.models import UserSite

    both.site_links.append(UserSite(site_id=world.site_a.id))
    db.session.commit()
    resp = api(both).post(f"/api/v1/site-requests/{req_id}/reject", json={"note": "x"})
    assert resp.status_code == 403 and resp.get_json()["reasons"][0]["code"] == "own_request"


def test_the_doctors_page_asks_for_a_site(client, world, factory):
    from tests.factories import PASSWORD

    doctor = factory.doctor(sites=[world.site_b])
    db.session.commit()
    client.post("/login", data={"email": doctor.email, "password": PASSWORD})
    page = client.get("/me/sites")
    assert page.status_code == 200 and b"Alpha Hospital" in page.data
    assert client.post("/me/sites", data={}).status_code == 422
    resp = client.post("/me/sites", data={"site_id": str(world.site_a.id)})
    assert resp.status_code == 302
    assert b"Waiting" in client.get("/me/sites").data
