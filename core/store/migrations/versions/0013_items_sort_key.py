"""An item's moment as one indexed column: `sort_at`, generated from the publication time
or, for an undated item, the fetch time

Every listing (the queue, the site's pages and feeds) sorts by that moment; sorted as
`coalesce(published_at, fetched_at)` no index served it, and each page sorted every item
of its status. The database computes and stores the column, so no writer can forget it
(SQLite adds a stored generated column only by rebuilding the table: batch mode).

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("sort_at", sa.DateTime(timezone=True),
                                   sa.Computed("coalesce(published_at, fetched_at)",
                                               persisted=True), nullable=True))
    # covering: the queue counts and its facets read the index, not the rows
    op.create_index("ix_items_listing", "items", ["status", "duplicate_of_id", "sort_at", "id",
                                                  "language", "media_kind", "source_id",
                                                  "submission_id"])


def downgrade() -> None:
    op.drop_index("ix_items_listing", table_name="items")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("sort_at")
