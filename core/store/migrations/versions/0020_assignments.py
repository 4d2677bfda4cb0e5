"""Assignment lists and their tasks: the desk's work divided so that correspondents and
translators claim one task at a time

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "assignment_lists",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("claim_days", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="SET NULL", name="fk_assignment_lists_created_by_id_users"),
            nullable=True),
        sa.Column("created_at", NOW, nullable=False),
        sa.Column("closed_at", NOW, nullable=True),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey(
            "assignment_lists.id", ondelete="CASCADE",
            name="fk_tasks_assignment_id_assignment_lists"), nullable=False),
        sa.Column("target", sa.String(2048), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey(
            "sources.id", ondelete="SET NULL", name="fk_tasks_source_id_sources"),
            nullable=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey(
            "items.id", ondelete="SET NULL", name="fk_tasks_item_id_items"), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("holder_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="SET NULL", name="fk_tasks_holder_id_users"), nullable=True),
        sa.Column("claimed_at", NOW, nullable=True),
        sa.Column("expires_at", NOW, nullable=True),
        sa.Column("done_at", NOW, nullable=True),
        sa.Column("result", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_tasks_assignment_id", "tasks", ["assignment_id"])
    op.create_index("ix_tasks_holder_id", "tasks", ["holder_id"])


def downgrade() -> None:
    op.drop_index("ix_tasks_holder_id", table_name="tasks")
    op.drop_index("ix_tasks_assignment_id", table_name="tasks")
    op.drop_table("tasks")
    op.drop_table("assignment_lists")
