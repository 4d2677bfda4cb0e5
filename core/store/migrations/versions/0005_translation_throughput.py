"""translation memory, translation failures and retries, full-text translation

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "translation_memory",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("source_language", sa.String(16), nullable=False),
        sa.Column("target_language", sa.String(16), nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("target_text", sa.Text(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key_hash", "source_language", "target_language", "model_version",
                            name="uq_translation_memory_key"),
    )
    op.create_table(
        "translation_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(),
                  sa.ForeignKey("items.id", ondelete="CASCADE",
                                name="fk_translation_failures_item_id_items"),
                  nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("item_id", "field", "language",
                            name="uq_translation_failures_item_field_lang"),
    )
    op.create_index("ix_translation_failures_next_attempt_at", "translation_failures",
                    ["next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_translation_failures_next_attempt_at", table_name="translation_failures")
    op.drop_table("translation_failures")
    op.drop_table("translation_memory")
