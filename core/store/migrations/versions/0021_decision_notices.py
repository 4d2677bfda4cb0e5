"""E-mail notices of the desk's decisions on correspondents' links: the person's address
and whether they want them, and the notices with their attempts

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("notices", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="CASCADE", name="fk_notices_user_id_users"), nullable=False),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey(
            "submission_events.id", ondelete="CASCADE",
            name="fk_notices_event_id_submission_events"), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", NOW, nullable=False),
        sa.Column("next_attempt_at", NOW, nullable=True),
        sa.Column("sent_at", NOW, nullable=True),
        sa.Column("message_id", sa.String(300), nullable=True),
    )
    op.create_index("ix_notices_user_id", "notices", ["user_id"])
    op.create_index("ix_notices_event_id", "notices", ["event_id"])
    op.create_index("ix_notices_state_next_attempt_at", "notices",
                    ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("notices")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("notices")
        batch.drop_column("email")
