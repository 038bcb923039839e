"""Bank first, whatever the concurrency: a bank claim racing an agency booking
gives exactly one booking (PostgreSQL, real threads)."""
import threading

from bankapp.errors import DomainError
from bankapp.extensions import db
from bankapp.shifts.models import Booking
from tests.conftest import requires_postgres


def _race(app, *jobs):
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
def test_bank_claim_racing_agency_accept_books_exactly_once(app, world, released, clock):
    from bankapp.auth.models import User
    from bankapp.cascade import offers
    from bankapp.cascade.models import AgencyOffer
    from bankapp.money import parse_money
    from bankapp.shifts.booking import claim_shift

    for round_ in range(5):
        day = 10 + 3 * round_  # days apart: the doctor's working-time limits never refuse
        shift = released(start=f"2026-11-{day}T08:00", end=f"2026-11-{day}T20:00")
        offer = offers.make_offer(shift, actor=world.agency_user1, locum_name="Dr Lena Fischer",
                                  gmc_number=f"654321{round_}", grade="ST3", charge_rate=parse_money("75.00"))
        db.session.commit()
        shift_id, offer_id, doctor_id, coordinator_id = shift.id, offer.id, world.doctor.id, world.coordinator_a.id

        def bank(shift_id=shift_id, doctor_id=doctor_id):
            claim_shift(shift_id, doctor=db.session.get(User, doctor_id))

        def agency(offer_id=offer_id, coordinator_id=coordinator_id):
            offers.accept_offer(db.session.get(AgencyOffer, offer_id), actor=db.session.get(User, coordinator_id))

        outcomes = _race(app, bank, agency)
        assert sorted(map(str, outcomes)) == ["409", "ok"], outcomes
        db.session.expire_all()
        live = db.session.execute(db.select(Booking).filter_by(shift_id=shift_id)).scalars().all()
        assert len(live) == 1
        offer_status = db.session.get(AgencyOffer, offer_id).status
        assert offer_status == ("withdrawn" if live[0].source == "bank" else "accepted")
