"""Feeds behind HTTP basic auth: the credentials apart from the URL

A feed URL given as http://user:password@host/feed is stored as http://host/feed, and the
user and password here, so that no list, log or OPML export shows them.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("fetch_username", sa.String(500), nullable=True))
        batch.add_column(sa.Column("fetch_password", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("fetch_password")
        batch.drop_column("fetch_username")
