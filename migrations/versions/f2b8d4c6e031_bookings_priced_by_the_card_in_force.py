"""bookings no longer pin a rate card: the card in force at a shift's start prices it

Revision ID: f2b8d4c6e031
Revises: e1a7c3b5d920
Create Date: 2026-12-07 11:00:00

``bookings.rate_card_id`` goes. A downgrade restores the column and fills it with the card in
force at each live booking's shift start (the latest card effective on or before the shift's
London start date, compared on its UTC date here: the pin is a history, not a price).
"""
from alembic import op
import sqlalchemy as sa

revision = "f2b8d4c6e031"
down_revision = "e1a7c3b5d920"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bookings") as batch:
        batch.drop_constraint(op.f("fk_bookings_rate_card_id_rate_cards"), type_="foreignkey")
        batch.drop_column("rate_card_id")


def downgrade():
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("rate_card_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_bookings_rate_card_id_rate_cards"), "rate_cards", ["rate_card_id"], ["id"])
    day = "date(s.start_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(s.start_at AS DATE)"
    op.execute(f"""
        UPDATE bookings SET rate_card_id = (
            SELECT c.id FROM rate_cards c JOIN shifts s ON s.id = bookings.shift_id
            WHERE c.effective_from <= {day}
            ORDER BY c.effective_from DESC LIMIT 1)
        WHERE status <> 'cancelled'
    """)
