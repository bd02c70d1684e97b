"""staff_notice_failures: notices that could not reach a staff member, counted for /thongke

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_notice_failures",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("staff_id", sa.String(64), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("last_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("staff_notice_failures")
