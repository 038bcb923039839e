"""What a request may send: body sizes by content type (413 before the body is read), and JSON that is
well-formed, shallow and real UTF-8 text (400 problem details, never a 5xx)."""
import io

import pytest

from tests.factories import PASSWORD

MB = 1024 * 1024
PROBLEM = "application/problem+json"


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self):
        return True

    def readinto(self, buffer):
        pytest.fail("the request body was read")


def _declared(client, path, size, content_type, **kw):
    """A POST that declares ``size`` bytes of ``content_type`` but sends none of them."""
    return client.post(path, content_type=content_type,
                       environ_overrides={"wsgi.input": UnreadableBody(), "CONTENT_LENGTH": str(size)}, **kw)


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/login", "/api/v1/shifts", "/logout", "/sms/inbound"])
def test_a_200_mb_body_is_413_problem_details_without_being_read(client, path):
    resp = _declared(client, path, 200 * MB, "application/json")
    assert resp.status_code == 413
    assert resp.mimetype == PROBLEM
    body = resp.get_json()
    assert body["status"] == 413 and "1,048,576 bytes" in body["detail"]
    assert resp.headers["Connection"] == "close"


def test_a_large_login_form_is_413_before_the_throttle_reads_the_email(client):
    resp = _declared(client, "/login", 2 * MB, "application/x-www-form-urlencoded")
    assert resp.status_code == 413 and resp.mimetype == PROBLEM


def test_a_browser_gets_the_413_as_a_page(client):
    resp = _declared(client, "/login", 2 * MB, "application/x-www-form-urlencoded", headers={"Accept": "text/html"})
    assert resp.status_code == 413
    assert resp.mimetype == "text/html"
    assert "larger than 1,048,576 bytes" in resp.get_data(as_text=True)


def test_json_just_under_the_limit_is_read(client, world):
    padding = "x" * (MB - 200)
    resp = client.post("/api/v1/auth/token", json={"email": world.doctor.email, "password": PASSWORD, "pad": padding})
    assert resp.status_code in (201, 422)  # read and answered; the extra field is the schema's business


def test_a_chunked_body_is_cut_off_at_the_limit(client):
    resp = client.post("/api/v1/auth/token", input_stream=io.BytesIO(b"[" * (2 * MB)),
                       content_type="application/json",
                       environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})
    assert resp.status_code == 413 and resp.mimetype == PROBLEM


def _upload(client, size):
    data = {"file": (io.BytesIO(b"department,grade,start,end\n" + b"#" * size), "rota.csv")}
    return client.post("/coordinator/shifts/upload", data=data, content_type="multipart/form-data")


def test_multipart_uploads_may_send_up_to_the_upload_limit(client, world):
    client.post("/login", data={"email": world.coordinator_a.email, "password": PASSWORD})
    assert _upload(client, 3 * MB).status_code == 422  # over the JSON limit, under the upload limit: read
    resp = _upload(client, 11 * MB)
    assert resp.status_code == 413


def test_upload_limit_is_a_setting(make_limited_app):
    app = make_limited_app(MAX_UPLOAD_LENGTH=2 * MB)
    resp = _declared(app.test_client(), "/coordinator/shifts/upload", 3 * MB, "multipart/form-data; boundary=x")
    assert resp.status_code == 413
    assert "2,097,152 bytes" in resp.get_json()["detail"]


def test_json_limit_is_a_setting(make_limited_app):
    app = make_limited_app(MAX_CONTENT_LENGTH=1000)
    resp = app.test_client().post("/api/v1/auth/token", json={"email": "a@b.nhs.uk", "password": "p" * 1000})
    assert resp.status_code == 413


@pytest.fixture
def make_limited_app(app):
    import config
    from bankapp import create_app

    def make(**settings):
        return create_app(type("LimitsTestConfig", (config.TestConfig,), settings))

    return make


# ---- JSON that cannot be taken ----------------------------------------------------------------

def _raw_json(client, path, body: bytes, headers=None):
    return client.post(path, data=body, content_type="application/json", headers=headers or {})


def _assert_400(resp, words):
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == PROBLEM
    assert words in resp.get_json()["detail"]


def test_malformed_json_is_400_problem_details(client):
    _assert_400(_raw_json(client, "/api/v1/auth/token", b'{"email": "a@b.nhs.uk",'), "not valid JSON")


def test_100k_deep_arrays_are_400_not_a_recursion_error(client, world, api):
    deep = b"[" * 100_000 + b"]" * 100_000
    _assert_400(_raw_json(client, "/api/v1/auth/token", deep), "nested more than 32 levels")
    coordinator = api(world.coordinator_a)
    _assert_400(_raw_json(client, "/api/v1/shifts", deep, coordinator._headers(None)), "nested more than 32 levels")


def test_33_levels_are_refused_and_32_pass_the_shape_check(client):
    _assert_400(_raw_json(client, "/api/v1/auth/token", b"[" * 33 + b"]" * 33), "nested")
    assert _raw_json(client, "/api/v1/auth/token", b"[" * 32 + b"]" * 32).status_code == 422


def test_a_lone_surrogate_in_a_reason_is_400_not_an_encoding_error(client, world, api):
    from datetime import timedelta

    from bankapp.timeutil import now_utc
    from tests.factories import make_shift

    start = now_utc() + timedelta(days=5)
    shift = make_shift(department=world.dept_a, grade=world.grades["ST3"], posted_by=world.coordinator_a,
                       start=start, end=start + timedelta(hours=8))
    coordinator = api(world.coordinator_a)
    resp = _raw_json(client, f"/api/v1/shifts/{shift.id}/cancel", b'{"reason": "Ward closed \\ud800"}',
                     coordinator._headers(None))
    _assert_400(resp, "lone surrogate")


def test_a_lone_surrogate_in_a_key_is_400(client):
    _assert_400(_raw_json(client, "/api/v1/auth/token", b'{"\\udfff": 1}'), "lone surrogate")


def test_a_proper_surrogate_pair_is_text(client):
    resp = _raw_json(client, "/api/v1/auth/token", b'{"email": "\\ud83d\\ude00@b.nhs.uk", "password": "x"}')
    assert resp.status_code in (401, 422)


def test_bytes_that_are_not_utf8_are_400(client):
    _assert_400(_raw_json(client, "/api/v1/auth/token", b'{"email": "\xff\xfe\xfa"}'), "not valid JSON")


@pytest.mark.parametrize("body", [b"[1]", b'"text"', b"null", b"42"])
def test_json_that_is_not_an_object_is_never_a_5xx_at_login(client, body):
    assert _raw_json(client, "/api/v1/auth/token", body).status_code == 422
