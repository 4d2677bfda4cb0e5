"""items' SimHash band indexes hold root items only (duplicate_of_id IS NULL)

A story carried by hundreds of feeds is stored once as a root and hundreds of times as
its near-duplicates; the crawl's near-duplicate lookup compares new items with roots
only, so indexing the copies only made each band lookup visit them (crawler/store/items.py,
measured in bench/crawl).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BANDS = [f"simhash_band{n}" for n in range(4)]
ROOTS = sa.text("duplicate_of_id IS NULL")


def upgrade() -> None:
    for n, band in enumerate(BANDS):
        op.drop_index(f"ix_items_simhash_band{n}", table_name="items")
        op.create_index(f"ix_items_root_band{n}", "items", [band], sqlite_where=ROOTS,
                        postgresql_where=ROOTS)


def downgrade() -> None:
    for n, band in enumerate(BANDS):
        op.drop_index(f"ix_items_root_band{n}", table_name="items")
        op.create_index(f"ix_items_simhash_band{n}", "items", [band])
