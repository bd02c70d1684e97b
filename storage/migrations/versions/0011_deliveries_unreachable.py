"""deliveries.status "skipped" is now "unreachable": a platform rule kept the message from the
resident (Zalo's 7-day window, ZALO_FREE_ONLY), the rule in deliveries.reason

Every "skipped" row ever stored was such a refusal (core.delivery.Outcome.UNREACHABLE was the
only way to it: messages not attempted, or whose channel was not running, store nothing), so
all of them are renamed whatever their reason.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

deliveries = sa.table("deliveries", sa.column("status", sa.String(12)))


def _rename(old: str, new: str) -> None:
    op.execute(deliveries.update().where(deliveries.c.status == old).values(status=new))


def upgrade() -> None:
    _rename("skipped", "unreachable")


def downgrade() -> None:
    _rename("unreachable", "skipped")
