"""users.session_version: logging out, a new password, deactivation or a role taken away end every session

Revision ID: b7c1d2e3f401
Revises: 5d2e8a1f0c37
Create Date: 2026-12-04 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c1d2e3f401'
down_revision = '5d2e8a1f0c37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
