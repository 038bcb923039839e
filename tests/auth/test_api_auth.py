from datetime import timedelta

import time_machine

from bankapp.auth.models import ApiToken
from bankapp.extensions import db
from tests.factories import PASSWORD


def test_token_for_right_password(client, world):
    resp = client.post("/api/v1/auth/token", json={"email": world.doctor.email, "password": PASSWORD})
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["token"] and body["expires_at"].endswith(("+00:00", "+01:00"))
    stored = db.session.execute(db.select(ApiToken)).scalar_one()
    assert stored.token_hash != body["token"] and len(stored.token_hash) == 64


def test_wrong_password_and_unknown_email_get_the_same_401(client, world):
    wrong = client.post("/api/v1/auth/token", json={"email": world.doctor.email, "password": "nope-nope-nope"})
    unknown = client.post("/api/v1/auth/token", json={"email": "nobody@test.nhs.uk", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"]
    assert wrong.mimetype == "application/problem+json"


def test_missing_token_is_401(client, world):
    resp = client.get("/api/v1/sites")
    assert resp.status_code == 401
    assert resp.get_json()["status"] == 401


def test_revoked_token_is_401(client, world, api):
    doctor = api(world.doctor)
    assert doctor.get("/api/v1/sites").status_code == 200
    assert doctor.delete("/api/v1/auth/token").status_code == 204
    assert doctor.get("/api/v1/sites").status_code == 401


def test_expired_token_is_401(client, world, api):
    doctor = api(world.doctor)
    with time_machine.travel(timedelta(hours=13)):
        assert doctor.get("/api/v1/sites").status_code == 401


def test_garbage_bearer_is_401(client, world):
    assert client.get("/api/v1/sites", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert client.get("/api/v1/sites", headers={"Authorization": "Basic abc"}).status_code == 401


def test_token_request_with_bad_body_is_422_with_fields(client, world):
    resp = client.post("/api/v1/auth/token", json={"email": "not-an-email"})
    assert resp.status_code == 422
    body = resp.get_json()
    assert set(body["errors"]) == {"email", "password"}


def test_token_use_is_recorded_even_by_a_read_that_does_not_commit(client, world, api):
    doctor = api(world.doctor)
    assert doctor.get("/api/v1/sites").status_code == 200
    db.session.expire_all()
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    assert row.last_used_at is not None


def test_anonymous_caller_gets_401_before_any_field_error(client, world):
    resp = client.post("/api/v1/sites", json={"code": ""})
    assert resp.status_code == 401
    assert "errors" not in resp.get_json()
    assert client.get("/api/v1/reports/agency-return").status_code == 401


def test_logging_in_and_the_api_description_need_no_token(client, world):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.post("/api/v1/auth/token", json={"email": world.doctor.email, "password": "x"}).status_code == 401
