"""doctor_profiles.wtr_opt_out_at/_by_id: a doctor's recorded opt-out of the 48-hour average

Revision ID: a3c9e5f7b142
Revises: f2b8d4c6e031
Create Date: 2026-12-07 12:00:00

When the opt-out was recorded and by whom; null: no opt-out (1,248 h in any 26 weeks, else 1,456 h).
"""
from alembic import op
import sqlalchemy as sa

import bankapp.dbtypes

revision = "a3c9e5f7b142"
down_revision = "f2b8d4c6e031"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("doctor_profiles") as batch:
        batch.add_column(sa.Column("wtr_opt_out_at", bankapp.dbtypes.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("wtr_opt_out_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_doctor_profiles_wtr_opt_out_by_id_users"), "users",
                                 ["wtr_opt_out_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("doctor_profiles") as batch:
        batch.drop_constraint(op.f("fk_doctor_profiles_wtr_opt_out_by_id_users"), type_="foreignkey")
        batch.drop_column("wtr_opt_out_by_id")
        batch.drop_column("wtr_opt_out_at")
