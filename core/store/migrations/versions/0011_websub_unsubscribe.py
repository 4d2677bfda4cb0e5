"""WebSub unsubscribe: the subscription a source no longer wants, until its hub confirms

A disabled source, or a feed that names another hub or none, leaves a subscription at the
old hub; crawler/websub/hub.py records it here in the crawl's transaction and sends the
unsubscribe after the crawl, outside it.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("websub_drop_hub", sa.String(2048), nullable=True))
        batch.add_column(sa.Column("websub_drop_topic", sa.String(2048), nullable=True))
        batch.add_column(sa.Column("websub_drop_requested_at", sa.DateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        for column in ("websub_drop_requested_at", "websub_drop_topic", "websub_drop_hub"):
            batch.drop_column(column)
