"""The weekly breach digest to executives."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bankapp.extensions import db
from bankapp.jobs import job_by_id
from bankapp.notifications.digest import send_weekly_breach_digest
from bankapp.notifications.models import OutboxMessage
from tests.reports import fixtures as fx

LONDON = ZoneInfo("Europe/London")
# The Monday after the hand-counted month's last week (30 Mar – 5 Apr 2026).
MONDAY_9AM = datetime(2026, 4, 6, 9, 0, tzinfo=LONDON)


@pytest.fixture
def executives(world):
    for n, user in enumerate((world.executive, world.chief_executive), start=1):
        user.mobile = f"+44770090000{n}"
        user.sms_opt_in = True
    db.session.commit()
    return world.executive, world.chief_executive


def _messages():
    return db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


def test_digest_texts_each_executive_last_weeks_counts_with_a_link(world, executives):
    fx.build(world)
    assert send_weekly_breach_digest(MONDAY_9AM) == 2
    db.session.commit()
    messages = _messages()
    assert sorted(m.user_id for m in messages) == sorted(u.id for u in executives)
    body = messages[0].body
    # Week 30 Mar – 5 Apr: a pending rate violation (1 Apr), the agency over cap (Mon 30 Mar 00:45 BST)
    # and the working-time override (Sun 5 Apr 23:30 BST); the late timesheet is on Monday 6 Apr.
    assert "w/c 30 Mar: 3 breaches (1 rate violations, 1 agency over cap, 1 working-time overrides)" in body
    assert "http://bank.test/reports/breaches?from=2026-03-30&to=2026-04-05" in body
    assert {m.kind for m in messages} == {"breach_digest"}


def test_digest_run_twice_sends_one_message_per_executive(world, executives):
    fx.build(world)
    send_weekly_breach_digest(MONDAY_9AM)
    db.session.commit()
    assert send_weekly_breach_digest(MONDAY_9AM.replace(hour=10)) == 0
    db.session.commit()
    assert len(_messages()) == 2


def test_digest_waits_for_the_end_of_quiet_hours(world, executives):
    assert send_weekly_breach_digest(MONDAY_9AM.replace(hour=7, minute=59)) == 0
    assert send_weekly_breach_digest(MONDAY_9AM.replace(hour=8)) == 2


def test_digest_of_a_quiet_week_says_so_and_skips_people_without_consent(world, executives):
    world.chief_executive.sms_opt_in = False
    db.session.commit()
    assert send_weekly_breach_digest(MONDAY_9AM) == 1
    assert "no breaches" in _messages()[0].body


def test_digest_is_in_the_job_registry():
    job = job_by_id("weekly-breach-digest")
    assert job.resolve() is send_weekly_breach_digest
