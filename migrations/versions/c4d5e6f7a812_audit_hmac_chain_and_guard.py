"""audit chain keyed with AUDIT_HMAC_KEY (every sealed event re-sealed) and, on PostgreSQL, the append-only guard

Revision ID: c4d5e6f7a812
Revises: b7c1d2e3f401
Create Date: 2026-12-04 13:00:00

Upgrade re-seals the existing chain with HMAC-SHA256 under the app's
AUDIT_HMAC_KEY, in seq order, updates each seal's recorded head, writes the
new head to the anchor file (AUDIT_ANCHOR_PATH), then installs the guard.
Downgrade removes the guard and re-seals with the plain SHA-256 of before.
"""
import hashlib
from pathlib import Path

from alembic import op
import sqlalchemy as sa
from flask import current_app

import bankapp.dbtypes
from bankapp.audit.anchor import append_heads
from bankapp.audit.guard import INSTALL, REMOVE
from bankapp.audit.rules import GENESIS_HASH, HASHED_FIELDS, canonical_event, event_hash
from bankapp.timeutil import now_utc


revision = 'c4d5e6f7a812'
down_revision = 'b7c1d2e3f401'
branch_labels = None
depends_on = None

events = sa.table('audit_events', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
                  sa.column('prev_hash', sa.String), sa.column('hash', sa.String),
                  sa.column('at', bankapp.dbtypes.UTCDateTime()), sa.column('actor_id', sa.Integer),
                  sa.column('action', sa.String), sa.column('entity_type', sa.String),
                  sa.column('entity_id', sa.String), sa.column('before', sa.JSON), sa.column('after', sa.JSON))
seals = sa.table('audit_seals', sa.column('last_seq', sa.Integer), sa.column('last_hash', sa.String))


def _reseal(hasher):
    """Hash every sealed event again with ``hasher(fields) -> hex``; returns the head (seq, hash) or None."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(events).where(events.c.seq.is_not(None)).order_by(events.c.seq)).mappings().all()
    prev_hash, head = GENESIS_HASH, None
    for row in rows:
        fields = {name: row[name] for name in HASHED_FIELDS}
        fields['prev_hash'] = prev_hash
        new_hash = hasher(fields)
        conn.execute(events.update().where(events.c.id == row['id']).values(prev_hash=prev_hash, hash=new_hash))
        conn.execute(seals.update().where(seals.c.last_seq == row['seq']).values(last_hash=new_hash))
        prev_hash, head = new_hash, (row['seq'], new_hash)
    return head


def _is_postgres():
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    key = current_app.config['AUDIT_HMAC_KEY'].encode('utf-8')
    head = _reseal(lambda fields: event_hash(key, **fields))
    if _is_postgres():
        for sql in INSTALL:
            op.execute(sql)
    if head is not None:
        append_heads(Path(current_app.config['AUDIT_ANCHOR_PATH']),
                     [(head[0], head[1], now_utc())])


def downgrade():
    if _is_postgres():
        for sql in REMOVE:
            op.execute(sql)
    _reseal(lambda fields: hashlib.sha256(canonical_event(**fields).encode('utf-8')).hexdigest())
