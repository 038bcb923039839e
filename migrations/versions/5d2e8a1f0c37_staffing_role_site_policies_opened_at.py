"""staffing role, site policies, and when a shift first opened to bank doctors

Revision ID: 5d2e8a1f0c37
Revises: 286c4f677558
Create Date: 2026-12-04 18:40:00

- ``user_roles.role`` may be ``staffing`` (the central temporary-staffing team).
- ``site_policies``: a site's own approval threshold and windows (null: the trust default).
- ``shifts.opened_at``: when bank doctors could first claim the shift. Existing shifts take the
  approval time of their first approved rate violation, else their posting time; shifts still
  waiting for their rate stay null.
"""
from alembic import op
import sqlalchemy as sa

import bankapp.dbtypes

revision = "5d2e8a1f0c37"
down_revision = "286c4f677558"
branch_labels = None
depends_on = None

OLD_ROLES = ("doctor", "coordinator", "approver", "executive", "chief_executive", "agency", "payroll", "admin")
NEW_ROLES = ("doctor", "coordinator", "approver", "staffing", "executive", "chief_executive", "agency", "payroll",
             "admin")


def _roles_check(roles):
    return "role IN ({})".format(", ".join(f"'{r}'" for r in roles))


def _set_roles(roles):
    with op.batch_alter_table("user_roles", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_user_roles_role_valid"), type_="check")
        batch.create_check_constraint("role_valid", _roles_check(roles))


def upgrade():
    _set_roles(NEW_ROLES)
    op.create_table(
        "site_policies",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("approver_max_percent", bankapp.dbtypes.Decimal2(), nullable=True),
        sa.Column("bank_only_window_hours", sa.Integer(), nullable=True),
        sa.Column("cascade_urgent_within_hours", sa.Integer(), nullable=True),
        sa.Column("tier1_window_hours", sa.Integer(), nullable=True),
        sa.Column("doctor_cancel_cutoff_hours", sa.Integer(), nullable=True),
        sa.Column("updated_at", bankapp.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("approver_max_percent IS NULL OR approver_max_percent >= 0",
                           name=op.f("ck_site_policies_percent_not_negative")),
        sa.CheckConstraint("bank_only_window_hours IS NULL OR bank_only_window_hours >= 0",
                           name=op.f("ck_site_policies_window_not_negative")),
        sa.CheckConstraint("cascade_urgent_within_hours IS NULL OR cascade_urgent_within_hours >= 0",
                           name=op.f("ck_site_policies_urgent_not_negative")),
        sa.CheckConstraint("tier1_window_hours IS NULL OR tier1_window_hours >= 0",
                           name=op.f("ck_site_policies_tier1_not_negative")),
        sa.CheckConstraint("doctor_cancel_cutoff_hours IS NULL OR doctor_cancel_cutoff_hours >= 0",
                           name=op.f("ck_site_policies_cutoff_not_negative")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_policies_site_id_sites"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_site_policies_updated_by_id_users")),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_site_policies")),
    )
    with op.batch_alter_table("shifts") as batch:
        batch.add_column(sa.Column("opened_at", bankapp.dbtypes.UTCDateTime(timezone=True), nullable=True))
    op.execute("""
        UPDATE shifts SET opened_at = COALESCE(
            (SELECT MIN(v.decided_at) FROM rate_violations v WHERE v.shift_id = shifts.id AND v.status = 'approved'),
            created_at)
        WHERE status <> 'pending_rate_approval'
    """)


def downgrade():
    with op.batch_alter_table("shifts") as batch:
        batch.drop_column("opened_at")
    op.drop_table("site_policies")
    op.execute("DELETE FROM user_roles WHERE role = 'staffing'")
    _set_roles(OLD_ROLES)
