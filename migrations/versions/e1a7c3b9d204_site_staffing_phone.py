"""sites.staffing_phone: medical staffing's number, shown to a doctor who books inside the cancel cut-off

Revision ID: e1a7c3b9d204
Revises: e9f0a1b2c3d4
Create Date: 2026-12-06 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e1a7c3b9d204'
down_revision = 'e9f0a1b2c3d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staffing_phone', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('staffing_phone')
