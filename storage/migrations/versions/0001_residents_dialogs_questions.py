"""residents, dialog states, unanswered questions

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

from storage.models import BigId, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "residents",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(128)),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("subscribed", sa.Boolean, nullable=False),
        sa.Column("subscribed_at", UtcDateTime),
        sa.Column("first_seen", UtcDateTime, nullable=False),
        sa.Column("last_seen", UtcDateTime, nullable=False),
        sa.UniqueConstraint("channel", "external_id", name="uq_residents_channel_external"),
    )
    op.create_table(
        "dialog_states",
        sa.Column("resident_id", BigId, sa.ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "unanswered_questions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("folded", sa.String(512), nullable=False, unique=True),
        sa.Column("sample", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("first_asked", UtcDateTime, nullable=False),
        sa.Column("last_asked", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("unanswered_questions")
    op.drop_table("dialog_states")
    op.drop_table("residents")
