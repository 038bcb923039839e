"""Web security: headers, cookies, session renewal, CSRF and login throttling.

The throttling and CSRF tests need settings the shared test app switches off,
so they build their own app. Flask-Limiter's extension object is shared by
every app of the process, so the fixture puts its state back afterwards.
"""
import os
import uuid

import pytest

import config
from bankapp import create_app
from bankapp.extensions import db, limiter
from tests.conftest import _clean
from tests.factories import PASSWORD, Factory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"


# ---- apps with other settings ------------------------------------------------

def _build_app(**settings):
    cfg = type("SecurityTestConfig", (config.TestConfig,), settings)
    app = create_app(cfg)
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def make_app(app):
    """``make_app(**settings)`` → a fresh app with empty tables; limiter state restored afterwards."""
    saved = dict(limiter.__dict__)
    made = []

    def make(**settings):
        new = _build_app(**settings)
        made.append(new)
        _clean(new)
        return new

    yield make
    for new in made:
        with new.app_context():
            db.session.remove()
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)
    # The shared app's tables may have been written by a shared PostgreSQL database.
    _clean(app)


def _people(app, *emails):
    """Doctors with these emails (password PASSWORD), created in ``app``'s database."""
    with app.app_context():
        factory = Factory()
        factory.grades()
        for email in emails:
            factory.doctor(email=email, documents=False)
        db.session.commit()
        db.session.remove()


def _login(client, email, password, ip="10.0.0.1"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


# ---- headers and cookies -------------------------------------------------------

def test_pages_carry_the_security_headers(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    assert resp.headers["Content-Security-Policy"] == CSP
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert resp.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in resp.headers


def test_api_json_and_problems_carry_the_security_headers(client, world):
    for resp in (client.get("/api/v1/openapi.json"), client.get("/api/v1/sites")):
        assert resp.headers["Content-Security-Policy"] == CSP
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["X-Frame-Options"] == "DENY"
    assert client.get("/api/v1/sites").mimetype == "application/problem+json"


def test_error_pages_carry_the_security_headers(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404
    assert resp.headers["Content-Security-Policy"] == CSP


def test_base_layout_has_no_inline_script_or_style(client):
    html = client.get("/login").get_data(as_text=True)
    assert "<style" not in html
    assert " style=" not in html
    for tag in html.split("<script")[1:]:
        assert "src=" in tag.split(">", 1)[0], "inline <script> would be blocked by the CSP"


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_session_cookie_is_httponly_and_samesite_lax_without_secure_on_http(client, world):
    resp = _login(client, world.doctor.email, PASSWORD)
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_https_setting_sends_hsts_and_secure_cookies(make_app):
    app = make_app(HTTPS=True)
    _people(app, "secure@test.nhs.uk")
    client = app.test_client()
    resp = client.post("/login", data={"email": "secure@test.nhs.uk", "password": PASSWORD},
                       base_url="https://bank.test")
    assert resp.status_code == 302
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in resp.headers["Set-Cookie"] and "HttpOnly" in resp.headers["Set-Cookie"]
    # Plain HTTP (a health check inside the network) gets no HSTS.
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_static_files_are_cacheable(client):
    resp = client.get("/static/app.css")
    assert resp.status_code == 200
    assert resp.headers.get("Cache-Control") != "no-store"


# ---- session renewal -----------------------------------------------------------

def test_login_renews_the_session(client, world):
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    before = client.get_cookie("session").value
    assert _login(client, world.doctor.email, PASSWORD).status_code == 302
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(world.doctor.id)


def test_logout_ends_the_session(client, world):
    _login(client, world.doctor.email, PASSWORD)
    assert client.get("/").status_code == 200
    client.post("/logout")
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/").status_code == 302


# ---- CSRF ------------------------------------------------------------------------

@pytest.fixture
def csrf_app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    _people(app, "csrf@test.nhs.uk")
    return app


def test_login_post_without_csrf_token_is_400(csrf_app):
    client = csrf_app.test_client()
    resp = client.post("/login", data={"email": "csrf@test.nhs.uk", "password": PASSWORD})
    assert resp.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_login_post_with_csrf_token_works(csrf_app):
    client = csrf_app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    resp = client.post("/login", data={"email": "csrf@test.nhs.uk", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302


def test_logout_post_without_csrf_token_is_400_and_keeps_the_session(csrf_app):
    client = csrf_app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"email": "csrf@test.nhs.uk", "password": PASSWORD, "csrf_token": token})
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_api_with_bearer_token_needs_no_csrf_token(csrf_app):
    client = csrf_app.test_client()
    resp = client.post("/api/v1/auth/token", json={"email": "csrf@test.nhs.uk", "password": PASSWORD})
    assert resp.status_code == 201
    token = resp.get_json()["token"]
    assert client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"}).status_code == 204


# ---- login throttling ------------------------------------------------------------

@pytest.fixture
def throttled_app(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   LOGIN_LIMIT_PER_ACCOUNT="5 per 15 minutes", LOGIN_LIMIT_PER_IP="8 per 15 minutes")
    limiter.reset()
    _people(app, *(f"doc{i}@test.nhs.uk" for i in range(10)))
    return app


def test_sixth_wrong_password_for_one_account_is_429_even_from_other_ips(throttled_app):
    client = throttled_app.test_client()
    for i in range(5):
        assert _login(client, "doc0@test.nhs.uk", "wrong-password", ip=f"10.0.1.{i}").status_code == 401
    resp = _login(client, "doc0@test.nhs.uk", "wrong-password", ip="10.0.1.99")
    assert resp.status_code == 429
    assert "Too many attempts" in resp.get_data(as_text=True)
    # Locked even with the right password, until the window passes.
    assert _login(client, "doc0@test.nhs.uk", PASSWORD, ip="10.0.1.100").status_code == 429
    # Another account is not affected.
    assert _login(client, "doc1@test.nhs.uk", PASSWORD, ip="10.0.1.101").status_code == 302


def test_account_limit_ignores_case_and_spaces_in_the_email(throttled_app):
    client = throttled_app.test_client()
    for i, email in enumerate(["doc0@test.nhs.uk", "DOC0@test.nhs.uk", " doc0@TEST.nhs.uk ", "Doc0@test.nhs.uk",
                               "doc0@test.NHS.uk"]):
        assert _login(client, email, "wrong-password", ip=f"10.0.2.{i}").status_code == 401
    assert _login(client, "doc0@test.nhs.uk", "wrong-password", ip="10.0.2.9").status_code == 429


def test_correct_logins_are_not_counted_against_the_account(throttled_app):
    client = throttled_app.test_client()
    for i in range(4):
        assert _login(client, "doc0@test.nhs.uk", "wrong-password", ip=f"10.0.3.{i}").status_code == 401
    for i in range(4):
        assert _login(throttled_app.test_client(), "doc0@test.nhs.uk", PASSWORD, ip=f"10.0.4.{i}").status_code == 302
    assert _login(client, "doc0@test.nhs.uk", "wrong-password", ip="10.0.3.9").status_code == 401
    assert _login(client, "doc0@test.nhs.uk", "wrong-password", ip="10.0.3.10").status_code == 429


def test_one_ip_is_limited_across_accounts(throttled_app):
    client = throttled_app.test_client()
    for i in range(8):
        assert _login(client, f"doc{i}@test.nhs.uk", "wrong-password", ip="10.0.5.1").status_code == 401
    assert _login(client, "doc9@test.nhs.uk", "wrong-password", ip="10.0.5.1").status_code == 429
    assert _login(client, "doc9@test.nhs.uk", PASSWORD, ip="10.0.5.2").status_code == 302


def test_api_token_endpoint_is_throttled_with_a_problem(throttled_app):
    client = throttled_app.test_client()
    for i in range(5):
        resp = client.post("/api/v1/auth/token", json={"email": "doc0@test.nhs.uk", "password": "wrong-password"},
                           environ_base={"REMOTE_ADDR": f"10.0.6.{i}"})
        assert resp.status_code == 401
    resp = client.post("/api/v1/auth/token", json={"email": "doc0@test.nhs.uk", "password": "wrong-password"},
                       environ_base={"REMOTE_ADDR": "10.0.6.99"})
    assert resp.status_code == 429
    assert resp.mimetype == "application/problem+json"
    assert resp.get_json()["status"] == 429


def _token(client, email, password, ip):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_form_and_api_count_failed_logins_for_an_account_together(throttled_app):
    client = throttled_app.test_client()
    for i in range(5):
        attempt = _login if i % 2 == 0 else _token
        assert attempt(client, "doc0@test.nhs.uk", "wrong-password", ip=f"10.0.8.{i}").status_code == 401
    assert _token(client, "doc0@test.nhs.uk", "wrong-password", ip="10.0.8.98").status_code == 429
    assert _login(client, "doc0@test.nhs.uk", PASSWORD, ip="10.0.8.99").status_code == 429


def test_form_and_api_count_failures_from_one_address_together(throttled_app):
    client = throttled_app.test_client()
    for i in range(8):
        attempt = _login if i % 2 == 0 else _token
        assert attempt(client, f"doc{i}@test.nhs.uk", "wrong-password", ip="10.0.9.1").status_code == 401
    assert _token(client, "doc9@test.nhs.uk", "wrong-password", ip="10.0.9.1").status_code == 429


BALANCER = "10.1.0.1"


def _via_balancer(client, email, password, client_ip):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": BALANCER}, headers={"X-Forwarded-For": client_ip})


def _ward_client(make_app, proxies):
    """A client of an app behind ``proxies`` trusted proxies, allowing 3 failed logins per address."""
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", TRUSTED_PROXY_COUNT=proxies,
                   LOGIN_LIMIT_PER_ACCOUNT="100 per 15 minutes", LOGIN_LIMIT_PER_IP="3 per 15 minutes")
    limiter.reset()
    _people(app, *(f"ward{i}@test.nhs.uk" for i in range(6)))
    return app.test_client()


def test_behind_a_trusted_proxy_the_address_limit_counts_each_client(make_app):
    client = _ward_client(make_app, 1)
    for i in range(3):
        assert _via_balancer(client, f"ward{i}@test.nhs.uk", "wrong-password", "192.0.2.10").status_code == 401
    assert _via_balancer(client, "ward3@test.nhs.uk", "wrong-password", "192.0.2.10").status_code == 429
    # Everyone else behind the same load balancer can still log in.
    assert _via_balancer(client, "ward4@test.nhs.uk", PASSWORD, "192.0.2.11").status_code == 302


def test_without_trusted_proxies_x_forwarded_for_is_ignored(make_app):
    client = _ward_client(make_app, 0)
    for i in range(3):  # a new made-up address each time does not escape the limit
        assert _via_balancer(client, f"ward{i}@test.nhs.uk", "wrong-password", f"198.51.100.{i}").status_code == 401
    assert _via_balancer(client, "ward3@test.nhs.uk", "wrong-password", "198.51.100.9").status_code == 429


def _redis_reachable():
    try:
        import redis
    except ImportError:
        return "the redis package is not installed (pip install -r requirements-dev.txt)"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except Exception as exc:  # any connection failure means: skip, and say why
        return f"Redis not reachable at {REDIS_URL}: {exc}"
    return None


def test_throttling_works_with_redis_storage(make_app):
    why = _redis_reachable()
    if why:
        pytest.skip(why)
    prefix = f"bank-test-{uuid.uuid4().hex}"
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix,
                   LOGIN_LIMIT_PER_ACCOUNT="5 per 15 minutes", LOGIN_LIMIT_PER_IP="30 per 15 minutes")
    _people(app, "redis@test.nhs.uk")
    client = app.test_client()
    try:
        for i in range(5):
            assert _login(client, "redis@test.nhs.uk", "wrong-password", ip=f"10.0.7.{i}").status_code == 401
        assert _login(client, "redis@test.nhs.uk", "wrong-password", ip="10.0.7.99").status_code == 429
        import redis

        assert redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}*"), "the limits were not kept in Redis"
    finally:
        import redis

        conn = redis.Redis.from_url(REDIS_URL)
        for key in conn.scan_iter(f"*{prefix}*"):
            conn.delete(key)


# ---- bugs found by fuzzing the API (tests/test_fuzz.py) --------------------------

def test_huge_id_in_a_url_is_404_not_a_database_error(client, world, api):
    admin = api(world.admin)
    assert admin.get("/api/v1/users/99999999999999999999").status_code == 404
    assert admin.get(f"/api/v1/users/{2**31}").status_code == 404
    assert admin.get(f"/api/v1/users/{world.doctor.id}").status_code == 200


def test_ids_in_urls_are_documented_with_their_range(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    [param] = spec["paths"]["/api/v1/users/{user_id}"]["parameters"]
    assert param["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


def test_errors_are_documented_as_problem_json(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        assert list(spec["components"]["responses"][name]["content"]) == ["application/problem+json"]


def test_list_cursor_too_large_is_422_naming_the_field(client, world, api):
    resp = api(world.admin).get("/api/v1/users?cursor=99999999999999999999")
    assert resp.status_code == 422
    assert "cursor" in resp.get_json()["errors"]


def test_number_too_large_for_the_database_is_422_not_500(client, world, api):
    """A backstop for integers no schema bounds (here a query filter)."""
    resp = api(world.admin).get("/api/v1/shifts?site_id=99999999999999999999")
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
