"""items.page_attempts: an article page still wanted survives a crash or a stopped crawl

The crawl stores a summary-only item first and fetches its page after; an item whose page
never answered (the crawl was killed or stopped, or the per-crawl bound left it for later)
keeps a count here, and the next crawl of its source retries it (crawler/fetch/pages.py).
NULL once the page has answered, text or error, and for items that want no page: the
partial index holds only the few still pending.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("page_attempts IS NOT NULL")


def upgrade() -> None:
    op.add_column("items", sa.Column("page_attempts", sa.Integer(), nullable=True))
    op.create_index("ix_items_page_pending", "items", ["source_id"], sqlite_where=PENDING,
                    postgresql_where=PENDING)


def downgrade() -> None:
    op.drop_index("ix_items_page_pending", table_name="items")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("page_attempts")
