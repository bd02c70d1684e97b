"""deliveries.attempts and retry_at (a message that never left is sent again); senders (live
processes sharing a channel's rate)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("retry_at", UtcDateTime))
    op.create_table(
        "senders",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("instance", sa.String(40), primary_key=True),
        sa.Column("seen_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("senders")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("retry_at")
        batch.drop_column("attempts")
