"""deliveries, broadcasts, residents.blocked_at

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

from storage.models import BigId, UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("blocked_at", UtcDateTime))
    op.create_table(
        "deliveries",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("resident_id", BigId, sa.ForeignKey("residents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("claimed_by", sa.String(40), nullable=False),
        sa.Column("claimed_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("key", "resident_id", name="uq_deliveries_key_resident"),
    )
    op.create_index("ix_deliveries_status_claimed_at", "deliveries", ["status", "claimed_at"])
    op.create_table(
        "broadcasts",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("staff_channel", sa.String(16), nullable=False),
        sa.Column("staff_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("runner", sa.String(40)),
        sa.Column("runner_seen_at", UtcDateTime),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime),
    )
    op.create_index("ix_residents_subscribed", "residents", ["subscribed"])


def downgrade() -> None:
    op.drop_index("ix_residents_subscribed", "residents")
    op.drop_table("broadcasts")
    op.drop_table("deliveries")
    with op.batch_alter_table("residents") as batch:
        batch.drop_column("blocked_at")
