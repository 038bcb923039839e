"""document uploads and their verification

Revision ID: d8e1f2a3b4c5
Revises: e19a7c2b5d10
Create Date: 2026-12-04 19:10:00

- ``compliance_documents`` gain a status (``awaiting_verification``, ``verified``, ``rejected``; only
  verified documents count for claims), who verified it and when, the decision's note, and the stored
  file of an upload (its random storage key, the type read from its bytes, its size).
- Every existing document was entered by staff: it becomes verified, by whoever entered it, when they did.
"""
from alembic import op
import sqlalchemy as sa

import bankapp.dbtypes

revision = "d8e1f2a3b4c5"
down_revision = "e19a7c2b5d10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("compliance_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_key", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("content_type", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("file_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=24), server_default="verified", nullable=False))
        batch_op.add_column(sa.Column("verified_at", bankapp.dbtypes.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decision_note", sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_compliance_documents_verified_by_id_users"), "users",
                                    ["verified_by_id"], ["id"])
        batch_op.create_check_constraint(
            "status_valid", "status IN ('awaiting_verification', 'verified', 'rejected')")
    op.execute("UPDATE compliance_documents SET verified_at = created_at, verified_by_id = created_by_id")


def downgrade():
    # Without a status every row would count for claims: uploads not verified go (their files stay on disk).
    op.execute("DELETE FROM compliance_documents WHERE status <> 'verified'")
    with op.batch_alter_table("compliance_documents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_compliance_documents_status_valid"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_compliance_documents_verified_by_id_users"), type_="foreignkey")
        batch_op.drop_column("decision_note")
        batch_op.drop_column("verified_by_id")
        batch_op.drop_column("verified_at")
        batch_op.drop_column("status")
        batch_op.drop_column("content_type")
        batch_op.drop_column("file_size")
        batch_op.drop_column("file_key")
