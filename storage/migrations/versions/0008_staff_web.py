"""staff web pages: sign-in links, sessions, the audit log of staff actions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from storage.models import BigId, UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_links",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("staff", sa.String(90), nullable=False, index=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("used_at", UtcDateTime),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("staff", sa.String(90), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("ended_at", UtcDateTime),
    )
    op.create_table(
        "staff_actions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("at", UtcDateTime, nullable=False, index=True),
        sa.Column("staff", sa.String(90), nullable=False),
        sa.Column("via", sa.String(8), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("staff_actions")
    op.drop_table("staff_sessions")
    op.drop_table("staff_links")
