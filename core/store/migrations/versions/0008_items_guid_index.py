"""items.guid index: the crawl looks globally unique GUIDs (URLs, urn:, tag:) up in any source

Without it every stored source's known-item lookup scanned the whole items table (SQLite
cannot use the (source_id, guid) index for a GUID alone): a crawl's cost grew with the
store, measured in bench/crawl.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_items_guid", "items", ["guid"])


def downgrade() -> None:
    op.drop_index("ix_items_guid", table_name="items")
