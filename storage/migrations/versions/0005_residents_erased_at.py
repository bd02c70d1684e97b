"""residents.erased_at: the resident asked to delete their personal data

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("erased_at", UtcDateTime))


def downgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.drop_column("erased_at")
