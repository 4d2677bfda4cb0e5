"""The desk's vocabularies: source categories (tendencies) as a managed list, topics with a
name per site language and the items they are given, featured items in an order, an
index of the items the desk's rules have not read, one of each source's items in order (and no second index of the rules' hits
by item: their unique key starts with the item)

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    categories = op.create_table(
        "categories",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    # the categories sources already carry become the list's first entries
    used = op.get_bind().execute(sa.text(
        "SELECT DISTINCT category FROM sources WHERE category IS NOT NULL AND category != ''"))
    op.bulk_insert(categories, [{"name": name, "active": True} for (name,) in used])
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(60), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("slug", name="uq_topics_slug"),
    )
    op.create_table(
        "item_topics",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey(
            "items.id", ondelete="CASCADE", name="fk_item_topics_item_id_items"),
            primary_key=True),
        sa.Column("topic_id", sa.Integer(), sa.ForeignKey(
            "topics.id", ondelete="CASCADE", name="fk_item_topics_topic_id_topics"),
            primary_key=True),
    )
    op.create_index("ix_item_topics_topic_id", "item_topics", ["topic_id", "item_id"])
    # a plain ALTER: rebuilding items in batch mode would copy its generated sort_at
    op.add_column("items", sa.Column("featured_order", sa.Integer(), nullable=True))
    op.drop_index("ix_rule_hits_item_id", table_name="rule_hits")
    op.create_index("ix_items_source_sort", "items", ["source_id", "status", "sort_at", "id"])
    unruled = "ruled_at IS NULL"
    op.create_index("ix_items_unruled", "items", ["status", "id"],
                    sqlite_where=sa.text(unruled), postgresql_where=sa.text(unruled))
    featured = "featured_order IS NOT NULL"
    op.create_index("ix_items_featured", "items", ["featured_order"],
                    sqlite_where=sa.text(featured), postgresql_where=sa.text(featured))


def downgrade() -> None:
    op.drop_index("ix_items_unruled", table_name="items")
    op.drop_index("ix_items_source_sort", table_name="items")
    op.create_index("ix_rule_hits_item_id", "rule_hits", ["item_id"])
    op.drop_index("ix_items_featured", table_name="items")
    op.execute("ALTER TABLE items DROP COLUMN featured_order")  # SQLite 3.35+ and PostgreSQL
    op.drop_index("ix_item_topics_topic_id", table_name="item_topics")
    op.drop_table("item_topics")
    op.drop_table("topics")
    op.drop_table("categories")
