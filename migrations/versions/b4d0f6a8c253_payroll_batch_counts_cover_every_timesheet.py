"""payroll_exports: timesheet_count/total_amount cover every timesheet; esr_* and agency_* parts

Revision ID: b4d0f6a8c253
Revises: a3c9e5f7b142
Create Date: 2026-12-07 13:00:00

Before, ``timesheet_count``/``total_amount`` described the ESR file only and the agency file had
``agency_timesheet_count``/``agency_total_amount``. Now the first two cover the whole batch, with
``esr_count``/``esr_total`` and ``agency_count``/``agency_total`` as its parts; CHECKs hold the sums.
Existing batches are carried over; their stored files are not touched.
"""
from alembic import op
import sqlalchemy as sa

import bankapp.dbtypes

revision = "b4d0f6a8c253"
down_revision = "a3c9e5f7b142"
branch_labels = None
depends_on = None

NEW_CHECKS = {"count_not_negative": "esr_count >= 0 AND agency_count >= 0", "not_empty": "timesheet_count > 0",
              "count_adds_up": "timesheet_count = esr_count + agency_count",
              "total_adds_up": "total_amount = esr_total + agency_total"}
OLD_CHECKS = {"count_not_negative": "timesheet_count >= 0", "not_empty": "timesheet_count + agency_timesheet_count > 0"}


def upgrade():
    with op.batch_alter_table("payroll_exports") as batch:
        for name in OLD_CHECKS:
            batch.drop_constraint(op.f(f"ck_payroll_exports_{name}"), type_="check")
        batch.add_column(sa.Column("esr_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("esr_total", bankapp.dbtypes.Decimal2(), nullable=True))
        batch.alter_column("agency_timesheet_count", new_column_name="agency_count", existing_type=sa.Integer(),
                           existing_nullable=False)
        batch.alter_column("agency_total_amount", new_column_name="agency_total",
                           existing_type=sa.BigInteger(), existing_nullable=False)
    op.execute("UPDATE payroll_exports SET esr_count = timesheet_count, esr_total = total_amount, "
               "timesheet_count = timesheet_count + agency_count, total_amount = total_amount + agency_total")
    with op.batch_alter_table("payroll_exports") as batch:
        batch.alter_column("esr_count", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("esr_total", existing_type=sa.BigInteger(), nullable=False)
        for name, condition in NEW_CHECKS.items():
            batch.create_check_constraint(name, condition)


def downgrade():
    with op.batch_alter_table("payroll_exports") as batch:
        for name in NEW_CHECKS:
            batch.drop_constraint(op.f(f"ck_payroll_exports_{name}"), type_="check")
    op.execute("UPDATE payroll_exports SET timesheet_count = esr_count, total_amount = esr_total")
    with op.batch_alter_table("payroll_exports") as batch:
        batch.drop_column("esr_total")
        batch.drop_column("esr_count")
        batch.alter_column("agency_count", new_column_name="agency_timesheet_count", existing_type=sa.Integer(),
                           existing_nullable=False)
        batch.alter_column("agency_total", new_column_name="agency_total_amount",
                           existing_type=sa.BigInteger(), existing_nullable=False)
        for name, condition in OLD_CHECKS.items():
            batch.create_check_constraint(name, condition)
