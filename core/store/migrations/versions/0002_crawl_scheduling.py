"""sources' polling, politeness and health state (crawler scheduling)

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("poll_interval", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("items_per_day", sa.Float(), nullable=True))
        batch.add_column(sa.Column("server_interval", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("disabled_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        for column in ("disabled_reason", "disabled_at", "failing_since", "server_interval",
                       "items_per_day", "poll_interval"):
            batch.drop_column(column)
