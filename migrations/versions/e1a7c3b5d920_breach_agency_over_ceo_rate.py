"""breach type agency_over_ceo_rate: an agency shift above the chief executive's rate (£100/h)

Revision ID: e1a7c3b5d920
Revises: c4d5e6f7a812
Create Date: 2026-12-07 10:00:00

A downgrade deletes the breaches of the new type (the old CHECK cannot hold them);
the offers they came from keep the charge, the approver and the reason.
"""
from alembic import op

revision = "e1a7c3b5d920"
down_revision = "c4d5e6f7a812"
branch_labels = None
depends_on = None

OLD_TYPES = ("rate_violation", "agency_over_cap", "off_framework", "wtr_override", "late_timesheet")
NEW_TYPES = ("rate_violation", "agency_over_cap", "off_framework", "agency_over_ceo_rate", "wtr_override",
             "late_timesheet")


def _set_types(types):
    with op.batch_alter_table("breaches", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_breaches_type_valid"), type_="check")
        batch.create_check_constraint("type_valid", "type IN ({})".format(", ".join(f"'{t}'" for t in types)))


def upgrade():
    _set_types(NEW_TYPES)


def downgrade():
    op.execute("DELETE FROM breaches WHERE type = 'agency_over_ceo_rate'")
    _set_types(OLD_TYPES)
