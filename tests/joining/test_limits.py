"""The public joining form and API are limited per client address and per mobile number, page and API together."""
from bankapp.extensions import db, limiter
from bankapp.org.services import create_site
from tests.factories import Factory
from tests.test_security import make_app  # noqa: F401  (the fixture: an app with rate limits on)


def _trust(app):
    with app.app_context():
        Factory().grades()
        site = create_site(code="AAA", name="Alpha Hospital", actor=None)
        db.session.commit()
        return site.id


def _body(n, site_id, mobile="07700 900555"):
    return {"name": f"Dr Applicant {n}", "email": f"applicant{n}@nhs.net", "mobile": mobile,
            "gmc_number": f"{7200000 + n}", "grade": "ST3", "site_ids": [site_id]}


def test_a_mobiles_limit_counts_the_page_and_the_api_together(make_app):  # noqa: F811
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   APPLICATION_LIMIT_PER_MOBILE="3 per hour", APPLICATION_LIMIT_PER_IP="50 per hour")
    limiter.reset()
    site_id = _trust(app)
    client = app.test_client()
    assert client.post("/api/v1/applications", json=_body(1, site_id)).status_code == 201
    form = {**_body(2, site_id), "site_ids": str(site_id)}
    assert client.post("/join", data=form).status_code == 302
    assert client.post("/api/v1/applications", json=_body(3, site_id, mobile="+447700900555")).status_code == 201
    refused = client.post("/api/v1/applications", json=_body(4, site_id))
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert client.post("/api/v1/applications", json=_body(5, site_id, mobile="07700 900556")).status_code == 201


def test_one_address_is_limited_whatever_the_mobile(make_app):  # noqa: F811
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   APPLICATION_LIMIT_PER_MOBILE="50 per hour", APPLICATION_LIMIT_PER_IP="2 per hour")
    limiter.reset()
    site_id = _trust(app)
    client = app.test_client()
    for n in (1, 2):
        assert client.post("/api/v1/applications", json=_body(n, site_id, mobile=f"0770090060{n}")).status_code == 201
    assert client.post("/api/v1/applications", json=_body(3, site_id, mobile="07700900603")).status_code == 429
    other = client.post("/api/v1/applications", json=_body(4, site_id, mobile="07700900604"),
                        environ_overrides={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 201
