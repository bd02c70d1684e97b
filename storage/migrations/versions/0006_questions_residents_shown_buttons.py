"""unanswered questions linked to their resident; residents.shown_buttons

Each unanswered question is now counted per resident, so that deleting a resident's data
deletes the text of their questions (the count stays, anonymous). The old table counted one
row per text with no link: the table is rebuilt (SQLite cannot drop its unnamed unique
constraint in place) and the old rows are kept, unlinked.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from storage.models import BigId, UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COPY = "count, first_asked, last_asked"


def _questions_table(name: str, *, linked: bool) -> None:
    columns = [sa.Column("id", BigId, primary_key=True)]
    if linked:
        columns += [
            sa.Column("resident_id", BigId, sa.ForeignKey("residents.id", ondelete="SET NULL")),
            sa.Column("folded", sa.String(512)),
            sa.Column("sample", sa.Text),
            sa.UniqueConstraint("resident_id", "folded", name="uq_unanswered_questions_resident_folded"),
        ]
    else:
        columns += [sa.Column("folded", sa.String(512), nullable=False, unique=True),
                    sa.Column("sample", sa.Text, nullable=False)]
    columns += [sa.Column("count", sa.Integer, nullable=False),
                sa.Column("first_asked", UtcDateTime, nullable=False),
                sa.Column("last_asked", UtcDateTime, nullable=False)]
    op.create_table(name, *columns)


def upgrade() -> None:
    _questions_table("unanswered_questions_new", linked=True)
    # Without ids: PostgreSQL's sequence for the new table starts at 1.
    op.execute(f"INSERT INTO unanswered_questions_new (folded, sample, {_COPY}) "
               f"SELECT folded, sample, {_COPY} FROM unanswered_questions")
    op.drop_table("unanswered_questions")
    op.rename_table("unanswered_questions_new", "unanswered_questions")
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("shown_buttons", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.drop_column("shown_buttons")
    _questions_table("unanswered_questions_old", linked=False)
    op.execute("INSERT INTO unanswered_questions_old (folded, sample, count, first_asked, last_asked) "
               "SELECT folded, MIN(sample), SUM(count), MIN(first_asked), MAX(last_asked) "
               "FROM unanswered_questions WHERE folded IS NOT NULL GROUP BY folded")
    op.drop_table("unanswered_questions")
    op.rename_table("unanswered_questions_old", "unanswered_questions")
