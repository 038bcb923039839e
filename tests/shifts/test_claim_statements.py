"""A claim costs a handful of SQL statements: a regression guard for claim storms.

Counted with SQLAlchemy's ``before_cursor_execute`` event around one request
on a fresh session (as a real request finds it), so the figures are
deterministic, not timed. Upper bounds hold on SQLite and PostgreSQL (SQLite
takes its write lock with a no-op UPDATE and writes the two audit rows one by
one; PostgreSQL batches them).
"""
import re
from contextlib import contextmanager
from datetime import timedelta

import time_machine
from sqlalchemy import event

from bankapp.cascade.models import CascadeRequest
from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage
from bankapp.shifts.models import Booking

from .conftest import NOW, post

# Token + user (roles, sites, profile joined), both locks in one statement
# (SQLite: its write lock first), the shift, bookings around it (the 26-week
# average's windows included, in the same read), documents, INSERT booking,
# audit (two rows on SQLite), UPDATE shift, token touch. No rate card is read:
# nothing about the price is pinned. The answer is made from the booking just
# written: no read-back.
CLAIM_BOUND = 12
# Token + user, then both locks in one statement (SQLite: its write lock
# first): the shift is gone, nothing else is read and nothing is written.
CONFLICT_BOUND = 3
# Token + user, then the listing itself (the token was touched under a minute ago).
GET_BOUND = 2


@contextmanager
def counting():
    """Statements sent in the block, starting from an empty session (as a new request would)."""
    db.session.commit()
    db.session.remove()
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def touching(seen, table):
    return [s for s in seen if f" {table} " in f" {s} " or f"{table}." in s]


def claim(api, doctor, shift_id):
    return api(doctor).post(f"/api/v1/shifts/{shift_id}/claim")


def test_a_claim_takes_at_most_a_dozen_statements(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    doctor = api(market.doctor)
    with counting() as seen:
        resp = doctor.post(f"/api/v1/shifts/{shift['id']}/claim")
    assert resp.status_code == 201
    assert len(seen) <= CLAIM_BOUND, "\n".join(seen)
    assert len(touching(seen, "api_tokens")) == 2  # the one auth query and the first-use touch


def test_a_claim_reloads_nothing_of_the_doctor_and_loads_no_card_rates(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    doctor = api(market.doctor)
    with counting() as seen:
        assert doctor.post(f"/api/v1/shifts/{shift['id']}/claim").status_code == 201
    for table in ("user_roles", "user_sites", "doctor_profiles"):
        assert [s for s in seen if s.startswith("SELECT") and f"FROM {table}" in s] == [], table
    # Only the doctor's lock (its id, FOR UPDATE) reads users again, never the row itself.
    assert [s for s in seen if s.startswith("SELECT") and "FROM users" in s and "api_tokens" not in s
            and not re.search(r"SELECT users\.id (AS id )?FROM users WHERE users\.id = \S+ FOR UPDATE", s)
            and not s.startswith("SELECT users.id FROM users")] == []
    assert touching(seen, "rate_card_rates") == [] and touching(seen, "agency_caps") == []
    assert touching(seen, "rate_cards") == []  # the card in force at the start prices it: nothing to pin
    assert not any(s.startswith("UPDATE bookings") for s in seen)


def test_a_claim_of_a_shift_never_released_asks_nothing_of_agencies(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    doctor = api(market.doctor)
    with counting() as seen:
        assert doctor.post(f"/api/v1/shifts/{shift['id']}/claim").status_code == 201
    assert touching(seen, "agency_offers") == [] and touching(seen, "cascade_requests") == []


def test_second_claim_gets_409_in_three_statements_reading_and_writing_nothing_else(market, api, factory):
    other = factory.doctor("ST3")
    db.session.commit()
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    assert claim(api, market.doctor, shift["id"]).status_code == 201
    late = api(other)
    with counting() as seen:
        resp = late.post(f"/api/v1/shifts/{shift['id']}/claim")
    assert resp.status_code == 409
    assert len(seen) <= CONFLICT_BOUND, "\n".join(seen)
    assert touching(seen, "bookings") == [] and touching(seen, "compliance_documents") == []
    writes = [s for s in seen if not s.startswith("SELECT")]
    assert writes in ([], ["UPDATE users SET id=users.id WHERE users.id = ?"]), writes  # SQLite's write lock


def test_the_answer_to_a_claim_is_not_read_back_after_the_commit(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    doctor, doctor_id = api(market.doctor), market.doctor.id
    with counting() as seen:
        body = doctor.post(f"/api/v1/shifts/{shift['id']}/claim").get_json()
    assert [s for s in seen if s.startswith("SELECT") and "FROM bookings" in s] == []
    row = db.session.get(Booking, body["id"])
    assert (row.shift_id, row.doctor_id, row.status, row.source) == (shift["id"], doctor_id, "booked", "bank")


def test_an_authenticated_get_is_one_query_for_the_caller(market, api):
    doctor = api(market.doctor)
    assert doctor.get("/api/v1/grades").status_code == 200  # first use touches the token
    with counting() as seen:
        assert doctor.get("/api/v1/grades").status_code == 200
    assert len(seen) <= GET_BOUND, "\n".join(seen)
    assert len(touching(seen, "api_tokens")) == 1 and not any(s.startswith("UPDATE") for s in seen)


def test_the_token_is_touched_again_after_a_minute_without_an_extra_select(market, api):
    doctor = api(market.doctor)
    assert doctor.get("/api/v1/grades").status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False), counting() as seen:
        assert doctor.get("/api/v1/grades").status_code == 200
    tokens = touching(seen, "api_tokens")
    assert len(tokens) == 2 and tokens[1].startswith("UPDATE api_tokens")


def test_booking_text_is_queued_without_reading_it_back(market, api, factory):
    texted = factory.doctor("ST3", mobile="+447700900123", sms_opt_in=True)
    db.session.commit()
    texted_id = texted.id
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    doctor = api(texted)
    with counting() as seen:
        booking = doctor.post(f"/api/v1/shifts/{shift['id']}/claim").get_json()
    outbox = touching(seen, "outbox_messages")
    assert len(outbox) == 1 and outbox[0].startswith("INSERT INTO outbox_messages")
    row = db.session.execute(db.select(OutboxMessage).filter_by(dedupe_key=f"booking-confirmed:{booking['id']}")
                             ).scalar_one()
    assert row.kind == "booking_confirmed" and row.to == "+447700900123" and row.user_id == texted_id


def test_a_pending_cascade_request_is_still_withdrawn_when_the_bank_fills_the_shift(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    with time_machine.travel(NOW + timedelta(hours=49), tick=False):  # past the bank-only window
        resp = api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/cascade", json={"reason": "No takers"})
        assert resp.status_code == 201, resp.get_json()
        assert claim(api, market.doctor, shift["id"]).status_code == 201
    assert db.session.get(CascadeRequest, resp.get_json()["id"]).status == "withdrawn"
    assert db.session.execute(db.select(Booking).filter_by(shift_id=shift["id"])).scalar_one().status == "booked"


def test_no_booking_text_to_a_number_that_opted_out(market, api, factory):
    from bankapp.notifications.services import record_opt_out

    texted = factory.doctor("ST3", mobile="+447700900124", sms_opt_in=True)
    record_opt_out("+447700900124")
    texted.sms_opt_in = True  # consent given again on the record, but the number is still on the list
    db.session.commit()
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    assert claim(api, texted, shift["id"]).status_code == 201
    assert db.session.execute(db.select(OutboxMessage).filter_by(kind="booking_confirmed")).scalars().all() == []


def test_every_statement_of_a_claim_comes_from_the_compiled_cache(market, api, factory):
    """A statement SQLAlchemy cannot cache (a dialect ``ON CONFLICT`` insert, say) is compiled
    again on every claim: more Python per booking than the rest of the statement."""
    from sqlalchemy.engine.default import CACHE_HIT

    texted = [factory.doctor("ST3", mobile=f"+44770090013{i}", sms_opt_in=True) for i in range(2)]
    db.session.commit()
    shifts = [post(api, market, f"2026-10-0{day}T08:00", f"2026-10-0{day}T20:00") for day in (5, 6)]
    assert claim(api, texted[0], shifts[0]["id"]).status_code == 201  # compiles and caches
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append((getattr(context, "cache_hit", None), " ".join(statement.split())[:90]))

    doctor = api(texted[1])
    db.session.commit()
    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert doctor.post(f"/api/v1/shifts/{shifts[1]['id']}/claim").status_code == 201
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert any("outbox_messages" in sql for _, sql in seen)
    assert [sql for hit, sql in seen if hit is not CACHE_HIT] == []


def test_half_a_year_of_bookings_is_read_in_one_statement_within_the_bound(market, api):
    """The 26-week average looks at every 182-day window holding the shift: one grouped read of the
    doctor's bookings either side, never one per window."""
    from tests.factories import make_booking, make_shift

    from .intervals import working_weeks

    for iv in working_weeks("2026-09-07", 26)[:-1]:
        make_booking(make_shift(department=market.dept_a, grade=market.grades["ST3"], start=iv.start, end=iv.end,
                                posted_by=market.coordinator_a), market.doctor)
    db.session.commit()
    shift = post(api, market, "2027-03-05T08:00", "2027-03-05T16:01")  # the last Friday, a minute over
    doctor = api(market.doctor)
    with counting() as seen:
        resp = doctor.post(f"/api/v1/shifts/{shift['id']}/claim")
    assert resp.status_code == 422 and [r["code"] for r in resp.get_json()["reasons"]] == ["wtr_average_48h"]
    assert len(seen) <= CLAIM_BOUND, "\n".join(seen)
    reads = [s for s in seen if s.startswith("SELECT") and "FROM shifts JOIN bookings" in s]
    assert len(reads) == 1, reads
