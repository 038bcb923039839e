"""Faults and concurrency of the sender, on PostgreSQL with real processes and threads."""
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage
from bankapp.notifications.sender import send_due_messages
from tests.conftest import requires_postgres

from .conftest import RecordingBackend

pytestmark = requires_postgres
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]

# A sender process that sends one message, claims the next and is killed
# (SIGKILL: no cleanup, no rollback handler) before it can send or mark it.
DYING_SENDER = """
import os, signal, sys
from datetime import datetime
from bankapp import create_app
from bankapp.notifications.backends import OutboxOnlyBackend
from bankapp.notifications.sender import claim_next, send_due_messages

app = create_app("config.TestConfig")
now = datetime.fromisoformat(sys.argv[1])
with app.app_context():
    send_due_messages(now, limit=1, backend=OutboxOnlyBackend())
    claim_next(now)
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture
def queued(world, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True)
    rows = [OutboxMessage(to=doctor.mobile, user_id=doctor.id, body=f"message {i}", kind="test", send_after=NOW)
            for i in range(3)]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def statuses(ids):
    db.session.expire_all()
    return [db.session.get(OutboxMessage, i).status for i in ids]


def test_sender_killed_mid_batch_loses_nothing_and_resends_nothing(queued):
    dying = subprocess.run([sys.executable, "-c", DYING_SENDER, NOW.isoformat()], cwd=REPO, env=os.environ,
                           capture_output=True, text=True, timeout=60)
    assert dying.returncode == -signal.SIGKILL, dying.stderr
    assert statuses(queued) == ["sent", "sending", "queued"]

    backend = RecordingBackend()
    send_due_messages(NOW + timedelta(minutes=1), backend=backend)  # restart within the 2 minutes: still fresh
    assert [body for _, body in backend.sent] == ["message 2"]
    assert statuses(queued) == ["sent", "sending", "sent"]
    counts = send_due_messages(NOW + timedelta(minutes=2, seconds=1), backend=backend)  # the claim is stale
    assert counts["recovered"] == 1
    assert [body for _, body in backend.sent] == ["message 2", "message 1"]
    assert statuses(queued) == ["sent", "sent", "sent"]
    send_due_messages(NOW + timedelta(hours=3), backend=backend)
    assert len(backend.sent) == 2  # message 0, marked sent by the dead process, is never sent again


def test_two_senders_never_send_the_same_row(app, world, factory):
    doctor = factory.doctor("ST3", sms_opt_in=True)
    db.session.add_all([OutboxMessage(to=doctor.mobile, user_id=doctor.id, body=f"m{i}", kind="test",
                                      send_after=NOW) for i in range(40)])
    db.session.commit()
    backend = RecordingBackend(delay=0.01)
    start = threading.Barrier(2)
    errors = []

    def sender():
        try:
            with app.app_context():
                start.wait()
                send_due_messages(NOW, backend=backend)
        except Exception as exc:  # surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    bodies = [body for _, body in backend.sent]
    assert sorted(bodies) == sorted(f"m{i}" for i in range(40))  # each once, none twice
    db.session.expire_all()
    assert {m.status for m in db.session.execute(db.select(OutboxMessage)).scalars()} == {"sent"}
    assert {m.attempts for m in db.session.execute(db.select(OutboxMessage)).scalars()} == {1}
