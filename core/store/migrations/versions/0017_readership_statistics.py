"""Readership statistics: each month with its salt, thresholds and lifecycle, the single
page views, and the rollups the report reads (visitor keys' months, days, tops, distinct
counts), the imported logs

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONTH = sa.String(7)


def upgrade() -> None:
    op.create_table(
        "stats_months",
        sa.Column("month", MONTH, primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("salt", sa.LargeBinary(32), nullable=True),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("dropped_views", sa.BigInteger(), nullable=False),
        sa.Column("heavy_hitter_pages", sa.Integer(), nullable=False),
        sa.Column("burst_pages", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "page_views",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("department", sa.String(16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("listing", sa.String(120), nullable=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("referrer_host", sa.String(255), nullable=True),
        sa.Column("agent", sa.String(8), nullable=False),
        sa.Column("visitor", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_page_views_at", "page_views", ["at"])
    op.create_index("ix_page_views_visitor_at", "page_views", ["visitor", "at"])
    op.create_table(
        "stats_visitors",
        sa.Column("month", MONTH, primary_key=True),
        sa.Column("visitor", sa.BigInteger(), primary_key=True),
        sa.Column("agent", sa.String(8), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False)
          for name in ("pages", "feeds", "hits")),
        *(sa.Column(name, sa.BigInteger(), nullable=False)
          for name in ("bytes", "days", "read_days", "departments")),
        sa.Column("robots_txt", sa.Boolean(), nullable=False),
        sa.Column("minute", sa.BigInteger(), nullable=False),
        sa.Column("minute_pages", sa.Integer(), nullable=False),
        sa.Column("peak_minute_pages", sa.Integer(), nullable=False),
    )
    op.create_table(
        "stats_days",
        sa.Column("month", MONTH, primary_key=True),
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("department", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("agent", sa.String(8), primary_key=True),
        sa.Column("left_out", sa.String(9), primary_key=True),
        sa.Column("hits", sa.BigInteger(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "stats_tops",
        sa.Column("month", MONTH, primary_key=True),
        sa.Column("dimension", sa.String(8), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("agent", sa.String(8), primary_key=True),
        sa.Column("left_out", sa.String(9), primary_key=True),
        sa.Column("pages", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "stats_counts",
        sa.Column("month", MONTH, primary_key=True),
        sa.Column("measure", sa.String(16), primary_key=True),
        sa.Column("index", sa.Integer(), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "stats_imports",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("lines", sa.BigInteger(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("stats_imports", "stats_counts", "stats_tops", "stats_days",
                  "stats_visitors"):
        op.drop_table(table)
    op.drop_index("ix_page_views_visitor_at", table_name="page_views")
    op.drop_index("ix_page_views_at", table_name="page_views")
    op.drop_table("page_views")
    op.drop_table("stats_months")
