"""Demo texts: a little outbox history, one opted-out number, some preferences."""
from datetime import timedelta

from ..extensions import db
from ..timeutil import now_utc
from . import texts
from .models import AlertPreference, OutboxMessage, SmsOptOut
from .rules import days_mask


def seed(ctx):
    now = now_utc()
    doctors = [d for d in ctx.doctors if d.mobile]
    if len(doctors) < 6:
        return
    demo, junior = doctors[0], doctors[1]
    # The junior doctor only wants weekday alerts.
    db.session.add(AlertPreference(user_id=junior.id, days=days_mask(range(5))))
    # One doctor replied STOP: nothing more goes to that number.
    stopped = doctors[5]
    stopped.sms_opt_in = False
    db.session.add(SmsOptOut(number=stopped.mobile, source="inbound", opted_out_at=now - timedelta(days=3)))

    base = ctx.sites[0].name if ctx.sites else "Broomfield Hospital"
    history = [
        OutboxMessage(to=demo.mobile, user_id=demo.id, kind="test", body=texts.test_message(), status="delivered",
                      attempts=1, provider_sid="local-demo-1", created_at=now - timedelta(days=2),
                      send_after=now - timedelta(days=2), sent_at=now - timedelta(days=2)),
        OutboxMessage(to=doctors[2].mobile, user_id=doctors[2].id, kind="reminder", status="failed", attempts=1,
                      body=f"Staff Bank reminder: your shift tomorrow at {base}.",
                      last_error="HTTP 400, Twilio error 21211: The 'To' number is not a valid phone number.",
                      created_at=now - timedelta(hours=20), send_after=now - timedelta(hours=20)),
        OutboxMessage(to=doctors[3].mobile, user_id=doctors[3].id, kind="booking_confirmed", status="queued",
                      attempts=2, body=f"Staff Bank: you are booked at {base}.",
                      last_error="HTTP 503, Twilio error 20503: Service unavailable",
                      created_at=now - timedelta(minutes=20), send_after=now + timedelta(minutes=15)),
    ]
    db.session.add_all(history)
    db.session.flush()
