"""shift notes, and rate violations withdrawn when their shift is edited

Revision ID: e19a7c2b5d10
Revises: b4d0f6a8c253
Create Date: 2026-12-04 19:00:00

- ``shifts.notes``: what the doctor on the shift should know, editable by its coordinator.
- ``rate_violations.status`` may be ``withdrawn``: a violation still pending when its shift's times,
  rate or grade were edited (the edit's own rate check replaces it). Downgrade turns withdrawn
  violations into rejected ones, the nearest earlier meaning.
"""
from alembic import op
import sqlalchemy as sa

revision = "e19a7c2b5d10"
down_revision = "b4d0f6a8c253"
branch_labels = None
depends_on = None

OLD_STATUSES = ("pending", "approved", "rejected")
NEW_STATUSES = ("pending", "approved", "rejected", "withdrawn")


def _set_statuses(statuses):
    check = "status IN ({})".format(", ".join(f"'{s}'" for s in statuses))
    with op.batch_alter_table("rate_violations", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_rate_violations_status_valid"), type_="check")
        batch.create_check_constraint("status_valid", check)


def upgrade():
    with op.batch_alter_table("shifts") as batch:
        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))
    _set_statuses(NEW_STATUSES)


def downgrade():
    op.execute("UPDATE rate_violations SET status = 'rejected' WHERE status = 'withdrawn'")
    _set_statuses(OLD_STATUSES)
    with op.batch_alter_table("shifts") as batch:
        batch.drop_column("notes")
