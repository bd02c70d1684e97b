"""taught_asks, and unanswered questions closed by staff (taught or dismissed)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from storage.models import BigId, UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taught_asks",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("faq_id", sa.String(64), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("question_id", sa.BigInteger),
        sa.Column("staff", sa.String(80), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("faq_id", "text", name="uq_taught_asks_faq_text"),
    )
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(sa.Column("closed_at", UtcDateTime))
        batch.add_column(sa.Column("closed_by", sa.String(80)))
        batch.add_column(sa.Column("faq_id", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_column("faq_id")
        batch.drop_column("closed_by")
        batch.drop_column("closed_at")
    op.drop_table("taught_asks")
