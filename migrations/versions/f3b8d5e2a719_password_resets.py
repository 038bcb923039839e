"""password_resets: a 6-digit code by SMS for a forgotten password (its HMAC only), 10 minutes, 5 tries

Revision ID: f3b8d5e2a719
Revises: e1a7c3b9d204
Create Date: 2026-12-06 11:00:00

"""
from alembic import op
import sqlalchemy as sa

import bankapp.dbtypes


revision = 'f3b8d5e2a719'
down_revision = 'e1a7c3b9d204'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'password_resets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', bankapp.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('closed_at', bankapp.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', bankapp.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_user_id'))
    op.drop_table('password_resets')
