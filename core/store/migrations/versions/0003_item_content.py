"""items' language confidence, full text, sources of one item, near-duplicates

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BANDS = [f"simhash_band{n}" for n in range(4)]


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("full_text", sa.Boolean(), nullable=True))
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("language_confidence", sa.Float(), nullable=True))
        batch.add_column(sa.Column("canonical_url", sa.String(2048), nullable=True))
        batch.add_column(sa.Column("speaker", sa.String(500), nullable=True))
        batch.add_column(sa.Column("extraction_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("simhash", sa.BigInteger(), nullable=True))
        for band in BANDS:
            batch.add_column(sa.Column(band, sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch.create_unique_constraint("uq_items_canonical_url", ["canonical_url"])
        batch.create_foreign_key("fk_items_duplicate_of_id_items", "items",
                                 ["duplicate_of_id"], ["id"])
        for band in BANDS:
            batch.create_index(f"ix_items_{band}", [band])
    op.create_table(
        "item_sources",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(2048), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_item_sources_item_id_items"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE",
                                name="fk_item_sources_source_id_sources"),
        sa.PrimaryKeyConstraint("item_id", "source_id", name="pk_item_sources"),
    )
    op.create_index("ix_item_sources_source_id", "item_sources", ["source_id"])


def downgrade() -> None:
    op.drop_index("ix_item_sources_source_id", table_name="item_sources")
    op.drop_table("item_sources")
    with op.batch_alter_table("items") as batch:
        for band in BANDS:
            batch.drop_index(f"ix_items_{band}")
        batch.drop_constraint("fk_items_duplicate_of_id_items", type_="foreignkey")
        batch.drop_constraint("uq_items_canonical_url", type_="unique")
        for column in ("duplicate_of_id", *reversed(BANDS), "simhash", "extraction_error",
                       "speaker", "canonical_url", "language_confidence"):
            batch.drop_column(column)
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("full_text")
