"""Races against PostgreSQL with real threads: a rate violation is decided once."""
import threading

from bankapp.audit.models import Breach
from bankapp.extensions import db
from bankapp.rates.models import RateViolation
from tests.conftest import requires_postgres
from tests.factories import ApiClient
from tests.shifts.test_rate_approval_api import _post, _setup


def _race(app, requests):
    barrier = threading.Barrier(len(requests))
    statuses = [None] * len(requests)

    def run(i, token, url, body):
        client = app.test_client()
        barrier.wait()
        statuses[i] = client.post(url, json=body, headers={"Authorization": f"Bearer {token}"}).status_code

    threads = [threading.Thread(target=run, args=(i, *req)) for i, req in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


@requires_postgres
def test_three_deciders_at_once_one_decision_one_breach(app, world, api, client):
    _setup(world)
    v = _post(api, world, "70.00")["rate_violation"]
    deciders = [world.approver_a, world.executive, world.chief_executive]
    tokens = [ApiClient.for_user(client, u).token for u in deciders]
    db.session.remove()
    url = f"/api/v1/rate-violations/{v['id']}"
    statuses = _race(app, [(tokens[0], url + "/approve", {}), (tokens[1], url + "/reject", {"note": "No"}),
                           (tokens[2], url + "/approve", {})])
    assert sorted(statuses) == [200, 409, 409]
    row = db.session.get(RateViolation, v["id"])
    breaches = db.session.execute(db.select(db.func.count(Breach.id))).scalar_one()
    assert breaches == (1 if row.status == "approved" else 0)
