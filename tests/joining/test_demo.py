"""The demo trust's joining data: applications in every state, cross-site requests, uploads to verify."""
from collections import Counter

from bankapp.extensions import db
from bankapp.joining.models import Application, SiteRequest
from bankapp.joining.rules import APPLICATION_STATUSES
from bankapp.seed import DEMO_PASSWORD, seed_demo
from bankapp.staff.models import ComplianceDocument


def test_the_demo_has_applications_in_every_state_and_requests_to_decide(app, client):
    logins = seed_demo(doctors=40)
    db.session.commit()
    statuses = Counter(db.session.execute(db.select(Application.status)).scalars())
    assert set(statuses) == set(APPLICATION_STATUSES)
    requests = Counter(db.session.execute(db.select(SiteRequest.status)).scalars())
    assert requests["pending"] >= 2 and requests["approved"] >= 1 and requests["rejected"] >= 1
    waiting = db.session.execute(db.select(db.func.count()).where(
        ComplianceDocument.status == "awaiting_verification")).scalar()
    assert waiting >= 1
    email = dict(logins)["Temporary staffing team (all sites)"]
    resp = client.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
    token = resp.get_json()["token"]
    queue = client.get("/api/v1/applications?status=submitted", headers={"Authorization": f"Bearer {token}"})
    assert len(queue.get_json()["items"]) == statuses["submitted"]
