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


@requires_postgres
def test_an_upload_racing_the_decision_waits_for_it_and_is_refused(app, world):
    """Staffing's decision holds the application's row: the applicant's late upload waits for it, then finds the
    application decided (409) instead of slipping in a document nobody checked."""
    from datetime import timedelta

    from bankapp.timeutil import london_date, now_utc
    from tests.staff.test_document_uploads import PDF

    application = applications.apply(name="Dr Late", email="late@nhs.net", mobile="+447700900321",
                                      gmc_number="7312345", grade="ST3", site_ids=[world.site_a.id])
    application.status = "submitted"
    db.session.commit()
    app_id, staffing_id = application.id, world.staffing_a.id
    locked, decided = threading.Event(), threading.Event()
    outcome = {}

    def decide():
        with app.app_context():
            try:
                row = db.session.get(Application, app_id)
                applications.reject(row, actor=db.session.get(type(world.staffing_a), staffing_id),
                                    note="No current licence")  # takes the row lock
                locked.set()
                decided.wait(0.5)  # hold it while the upload tries
                db.session.commit()
            finally:
                db.session.remove()

    def upload():
        with app.app_context():
            try:
                locked.wait(10)
                applications.add_document(db.session.get(Application, app_id), kind="dbs",
                                          expires_on=london_date(now_utc()) + timedelta(days=300), content=PDF)
                db.session.commit()
                outcome["upload"] = "ok"
            except DomainError as exc:
                db.session.rollback()
                outcome["upload"] = exc.status
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decide), threading.Thread(target=upload)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert outcome["upload"] == 409
    db.session.expire_all()
    row = db.session.get(Application, app_id)
    assert row.status == "rejected" and row.documents == []
