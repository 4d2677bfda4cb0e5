"""Submissions become items: what the crawler found at a submitted link (the item it made
or the one already in the store, the kind of link, the feeds it offers, the reason it
failed and how often it was tried), the submission's life as rows, the correspondents'
tokens for the API and the private feed of their states, and suspended accounts

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("item_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("url_key", sa.String(2048), nullable=True))
        batch.add_column(sa.Column("kind", sa.String(20), nullable=True))
        batch.add_column(sa.Column("feeds", sa.JSON(), nullable=False,
                                   server_default="[]"))
        batch.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("reason", sa.String(100), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("fetched_at", NOW, nullable=True))
        batch.add_column(sa.Column("updated_at", NOW, nullable=True))
        batch.create_foreign_key("fk_submissions_item_id_items", "items",
                                 ["item_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_submissions_url_key", ["url_key"])
        batch.create_index("ix_submissions_submitter_id", ["submitter_id"])
    # "pending" was the state a link starts in; it is "received" now
    op.execute("UPDATE submissions SET status = 'received' WHERE status = 'pending'")
    op.execute("UPDATE submissions SET updated_at = created_at")
    op.create_table(
        "submission_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey(
            "submissions.id", ondelete="CASCADE",
            name="fk_submission_events_submission_id_submissions"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("at", NOW, nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_submission_events_submission_id", "submission_events",
                    ["submission_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="CASCADE", name="fk_api_tokens_user_id_users"),
            nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", NOW, nullable=False),
        sa.Column("last_used_at", NOW, nullable=True),
        sa.Column("revoked_at", NOW, nullable=True),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("suspended_at", NOW, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("suspended_at")
    op.drop_index("ix_api_tokens_user_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index("ix_submission_events_submission_id", table_name="submission_events")
    op.drop_table("submission_events")
    op.execute("UPDATE submissions SET status = 'pending' WHERE status = 'received'")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_submitter_id")
        batch.drop_index("ix_submissions_url_key")
        batch.drop_constraint("fk_submissions_item_id_items", type_="foreignkey")
        for name in ("updated_at", "fetched_at", "attempts", "reason", "error", "feeds",
                     "kind", "url_key", "item_id"):
            batch.drop_column(name)
