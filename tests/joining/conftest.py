import re

import pytest

from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage


def texts_to(number, kind=None):
    stmt = db.select(OutboxMessage).filter_by(to=number).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.filter_by(kind=kind)
    return db.session.execute(stmt).scalars().all()


def last_code(number):
    body = texts_to(number, "application_code")[-1].body
    return re.search(r"\b(\d{6})\b", body).group(1)


@pytest.fixture
def application_body(world):
    def make(**changes):
        return {"name": "Dr Nia Roberts", "email": "nia.roberts@nhs.net", "mobile": "07700 900555",
                "gmc_number": "7123456", "grade": "ST3", "site_ids": [world.site_a.id],
                "specialties": ["Acute medicine"], **changes}

    return make


@pytest.fixture
def submitted(client, application_body):
    """An application whose mobile is confirmed: its id."""
    resp = client.post("/api/v1/applications", json=application_body())
    assert resp.status_code == 201, resp.get_json()
    app_id = resp.get_json()["id"]
    ok = client.post(f"/api/v1/applications/{app_id}/confirm", json={"code": last_code("+447700900555")})
    assert ok.status_code == 200 and ok.get_json()["status"] == "submitted"
    return app_id
