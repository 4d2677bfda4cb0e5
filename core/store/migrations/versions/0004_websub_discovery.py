"""WebSub subscriptions, sitemap sources and discovery

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("fetch_mode", "url_rules", "websub_hub", "websub_topic", "websub_secret",
           "websub_state", "websub_requested_at", "websub_lease_expires_at")


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("fetch_mode", sa.String(20), nullable=False,
                                   server_default="feed"))
        batch.add_column(sa.Column("url_rules", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("websub_hub", sa.String(2048), nullable=True))
        batch.add_column(sa.Column("websub_topic", sa.String(2048), nullable=True))
        batch.add_column(sa.Column("websub_secret", sa.String(100), nullable=True))
        batch.add_column(sa.Column("websub_state", sa.String(20), nullable=True))
        batch.add_column(sa.Column("websub_requested_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("websub_lease_expires_at", sa.DateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
