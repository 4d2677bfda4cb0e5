"""volunteer post-editing: claims, revisions, reviews

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUS = sa.Enum("draft", "submitted", "accepted", "returned", name="revisionstatus",
                  native_enum=False, length=20)


def upgrade() -> None:
    op.create_table(
        "translation_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_translation_claims_item_id_items"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_translation_claims_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_translation_claims"),
        sa.UniqueConstraint("item_id", "language", name="uq_translation_claims_item_lang"),
    )
    op.create_index("ix_translation_claims_user_id", "translation_claims", ["user_id"])
    op.create_table(
        "translation_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("status", _STATUS, nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_translation_revisions_item_id_items"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"],
                                name="fk_translation_revisions_author_id_users"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"],
                                name="fk_translation_revisions_reviewer_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_translation_revisions"),
    )
    op.create_index("ix_translation_revisions_item_lang", "translation_revisions",
                    ["item_id", "language"])
    op.create_index("ix_translation_revisions_status", "translation_revisions", ["status"])
    with op.batch_alter_table("translations") as batch:
        batch.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key("fk_translations_reviewed_by_id_users", "users",
                                 ["reviewed_by_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("translations") as batch:
        batch.drop_constraint("fk_translations_reviewed_by_id_users", type_="foreignkey")
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewed_by_id")
    op.drop_index("ix_translation_revisions_status", table_name="translation_revisions")
    op.drop_index("ix_translation_revisions_item_lang", table_name="translation_revisions")
    op.drop_table("translation_revisions")
    op.drop_index("ix_translation_claims_user_id", table_name="translation_claims")
    op.drop_table("translation_claims")
