def test_admin_creates_and_lists_sites(world, api):
    admin = api(world.admin)
    resp = admin.post("/api/v1/sites", json={"code": "CCC", "name": "Gamma Hospital"})
    assert resp.status_code == 201
    assert resp.get_json()["code"] == "CCC"
    codes = [s["code"] for s in admin.get("/api/v1/sites").get_json()["items"]]
    assert codes == ["AAA", "BBB", "CCC"]


def test_duplicate_site_code_is_409_problem(world, api):
    resp = api(world.admin).post("/api/v1/sites", json={"code": "AAA", "name": "Another"})
    assert resp.status_code == 409
    assert resp.mimetype == "application/problem+json"
    assert resp.get_json()["errors"] == {"code": ["Already in use."]}


def test_coordinator_calling_admin_endpoint_is_403(world, api):
    resp = api(world.coordinator_a).post("/api/v1/sites", json={"code": "DDD", "name": "Delta"})
    assert resp.status_code == 403
    assert resp.get_json()["title"] == "Forbidden"


def test_department_needs_known_site(world, api):
    resp = api(world.admin).post("/api/v1/departments", json={"site_id": 999, "name": "Wards", "specialty": "x y",
                                                              "cost_centre": "CC1"})
    assert resp.status_code == 422
    assert "site_id" in resp.get_json()["errors"]


def test_department_and_grade_created(world, api):
    admin = api(world.admin)
    resp = admin.post("/api/v1/departments", json={"site_id": world.site_a.id, "name": "Paediatrics",
                                                   "specialty": "Paediatrics", "cost_centre": "AAA200"})
    assert resp.status_code == 201 and resp.get_json()["cost_centre"] == "AAA200"
    resp = admin.post("/api/v1/grades", json={"code": "ST6", "name": "Senior registrar", "rank": 50})
    assert resp.status_code == 201
    grades = admin.get("/api/v1/grades").get_json()["items"]
    assert "ST6" in [g["code"] for g in grades]


def test_lists_are_paged_with_a_cursor(world, api):
    admin = api(world.admin)
    first = admin.get("/api/v1/grades?limit=2").get_json()
    assert len(first["items"]) == 2 and first["next"] is not None
    second = admin.get(f"/api/v1/grades?limit=2&cursor={first['next']}").get_json()
    assert {g["id"] for g in first["items"]}.isdisjoint({g["id"] for g in second["items"]})


def test_openapi_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/sites" in spec["paths"] and "/api/v1/auth/token" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_a_site_carries_its_medical_staffing_phone(world, api):
    admin = api(world.admin)
    created = admin.post("/api/v1/sites", json={"code": "CCC", "name": "Gamma Hospital",
                                                "staffing_phone": "01245  362000"}).get_json()
    assert created["staffing_phone"] == "01245 362000"
    changed = admin.patch(f"/api/v1/sites/{world.site_a.id}", json={"staffing_phone": "+44 1268 524900"})
    assert changed.status_code == 200 and changed.get_json() == {
        "id": world.site_a.id, "code": "AAA", "name": "Alpha Hospital", "staffing_phone": "+44 1268 524900"}
    listed = {s["code"]: s["staffing_phone"] for s in admin.get("/api/v1/sites").get_json()["items"]}
    assert listed == {"AAA": "+44 1268 524900", "BBB": None, "CCC": "01245 362000"}
    assert admin.patch(f"/api/v1/sites/{world.site_a.id}", json={"staffing_phone": None}).get_json()[
        "staffing_phone"] is None


def test_a_phone_that_is_not_one_is_refused_and_the_change_is_audited(world, api):
    from bankapp.audit.models import AuditEvent
    from bankapp.extensions import db

    admin = api(world.admin)
    resp = admin.patch(f"/api/v1/sites/{world.site_a.id}", json={"staffing_phone": "call Sue"})
    assert resp.status_code == 422 and resp.get_json()["errors"] == {
        "staffing_phone": ["Enter a phone number like 01245 362000."]}
    admin.patch(f"/api/v1/sites/{world.site_a.id}", json={"staffing_phone": "01245 362000"})
    event = db.session.execute(db.select(AuditEvent).filter_by(action="site.updated")).scalar_one()
    assert event.before == {"staffing_phone": None} and event.after == {"staffing_phone": "01245 362000"}
    assert admin.patch("/api/v1/sites/9999", json={"name": "Nowhere"}).status_code == 404
