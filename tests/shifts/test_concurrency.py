"""Races against PostgreSQL with real threads: one booking per shift, no overlapping bookings."""
import threading

from bankapp.extensions import db
from bankapp.shifts.models import Booking
from tests.conftest import requires_postgres
from tests.factories import ApiClient

from .conftest import post


def _race(app, requests):
    """Fire (token, url) POSTs from one thread each, released together; returns the status codes."""
    barrier = threading.Barrier(len(requests))
    statuses = [None] * len(requests)

    def run(i, token, url):
        client = app.test_client()
        barrier.wait()
        resp = client.post(url, json={}, headers={"Authorization": f"Bearer {token}"})
        statuses[i] = resp.status_code

    threads = [threading.Thread(target=run, args=(i, token, url)) for i, (token, url) in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


@requires_postgres
def test_fifty_doctors_claim_one_shift_exactly_one_wins(app, market, api, factory, client):
    doctors = [factory.doctor("ST3") for _ in range(50)]
    db.session.commit()
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    tokens = [ApiClient.for_user(client, d).token for d in doctors]
    db.session.remove()
    statuses = _race(app, [(t, f"/api/v1/shifts/{shift['id']}/claim") for t in tokens])
    assert sorted(statuses) == [201] + [409] * 49
    assert db.session.execute(db.select(db.func.count(Booking.id))).scalar_one() == 1


@requires_postgres
def test_one_doctor_claiming_two_overlapping_shifts_at_once_gets_one(app, market, api, client):
    first = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    second = post(api, market, "2026-10-05T12:00", "2026-10-05T22:00", department=market.dept_b)
    token = ApiClient.for_user(client, market.doctor).token
    db.session.remove()
    for _ in range(5):  # several rounds: the race must never slip through
        db.session.execute(db.delete(Booking))
        db.session.execute(db.text("UPDATE shifts SET status = 'open'"))
        db.session.commit()
        statuses = _race(app, [(token, f"/api/v1/shifts/{first['id']}/claim"),
                               (token, f"/api/v1/shifts/{second['id']}/claim")])
        assert sorted(statuses) == [201, 422]
        assert db.session.execute(db.select(db.func.count(Booking.id))).scalar_one() == 1
        db.session.remove()
