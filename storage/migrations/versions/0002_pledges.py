"""pledges

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

from storage.models import BigId, UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pledges",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("resident_id", BigId, sa.ForeignKey("residents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("display_name", sa.String(128)),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("phone", sa.String(20)),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("confirm_key", sa.String(160), nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("paid_at", UtcDateTime),
        sa.Column("cancelled_at", UtcDateTime),
        sa.CheckConstraint("amount > 0", name="ck_pledges_amount_positive"),
        sa.CheckConstraint("status IN ('pledged', 'paid', 'cancelled')", name="ck_pledges_status"),
    )
    op.create_index("ix_pledges_resident_id", "pledges", ["resident_id"])
    op.create_index("ix_pledges_status", "pledges", ["status"])


def downgrade() -> None:
    op.drop_table("pledges")
