"""One live application per email, whatever the concurrency (PostgreSQL, real threads): the partial unique
indexes settle what the check before the insert cannot."""
import threading

from bankapp.errors import DomainError
from bankapp.extensions import db
from bankapp.joining import applications
from bankapp.joining.models import Application
from tests.conftest import requires_postgres


def _race(app, jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(i, job):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                job()
                db.session.commit()
                outcomes[i] = "ok"
            except DomainError as exc:
                db.session.rollback()
                outcomes[i] = exc.status
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@requires_postgres
def test_ten_applications_with_one_email_at_once_make_one(app, world):
    site_id = world.site_a.id

    def apply(n):
        return lambda: applications.apply(name=f"Dr Racer {n}", email="racer@nhs.net", mobile=f"+4477009001{n:02d}",
                                          gmc_number=f"{7300000 + n}", grade="ST3", site_ids=[site_id])

    outcomes = _race(app, [apply(n) for n in range(10)])
    assert sorted(map(str, outcomes)) == ["409"] * 9 + ["ok"], outcomes
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count(Application.id))).scalar() == 1
