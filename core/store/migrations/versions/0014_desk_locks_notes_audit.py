"""The desk: review locks, internal notes on items, an audit log, each editor's chosen
translation language, an index of each item's copies (decided with it), one-time
account links (invitations, password resets), the reason codes of rejections, editors'
saved queue filters, and the desk's rules with what they touched

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_locks",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey(
            "items.id", ondelete="CASCADE", name="fk_review_locks_item_id_items"),
            primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="CASCADE", name="fk_review_locks_user_id_users"),
            nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "item_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey(
            "items.id", ondelete="CASCADE", name="fk_item_notes_item_id_items"),
            nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey(
            "users.id", name="fk_item_notes_author_id_users"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_item_notes_item_id", "item_notes", ["item_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey(
            "users.id", name="fk_audit_events_actor_id_users"), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey(
            "items.id", ondelete="CASCADE", name="fk_audit_events_item_id_items"),
            nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
    )
    op.create_index("ix_audit_events_created_at", "audit_events", ["created_at"])
    op.create_index("ix_audit_events_item_id", "audit_events", ["item_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("review_language", sa.String(16), nullable=True))
    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="CASCADE", name="fk_account_links_user_id_users"),
            nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey(
            "users.id", name="fk_account_links_created_by_id_users"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_account_links_token_hash"),
    )
    codes = op.create_table(
        "reason_codes",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.bulk_insert(codes, [
        {"code": code, "label": label, "active": True, "position": n}
        for n, (code, label) in enumerate([
            ("off-line", "off the editorial line"), ("duplicate", "a duplicate"),
            ("spam", "spam or advertising"), ("not-news", "not news"),
            ("broken", "broken link or empty page"), ("other", "other (say why)")])])
    op.create_table(
        "rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("pattern", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("reason_code", sa.String(40), sa.ForeignKey(
            "reason_codes.code", name="fk_rules_reason_code_reason_codes"), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey(
            "users.id", name="fk_rules_created_by_id_users"), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rule_hits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey(
            "items.id", ondelete="CASCADE", name="fk_rule_hits_item_id_items"),
            nullable=False),
        sa.Column("rule_id", sa.Integer(), sa.ForeignKey(
            "rules.id", ondelete="CASCADE", name="fk_rule_hits_rule_id_rules"),
            nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("item_id", "rule_id", name="uq_rule_hits_item_rule"),
    )
    op.create_index("ix_rule_hits_item_id", "rule_hits", ["item_id"])
    op.create_index("ix_rule_hits_rule_id", "rule_hits", ["rule_id"])
    # a plain ALTER: rebuilding items in batch mode would copy its generated sort_at
    op.add_column("items", sa.Column("ruled_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("reason_code", sa.String(40), nullable=True))
        batch.create_foreign_key("fk_decisions_reason_code_reason_codes", "reason_codes",
                                 ["reason_code"], ["code"])
        batch.add_column(sa.Column("rule_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_decisions_rule_id_rules", "rules", ["rule_id"], ["id"],
                                 ondelete="SET NULL")
        batch.alter_column("editor_id", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="CASCADE", name="fk_saved_filters_user_id_users"),
            nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("feed_token_hash", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_filters_user_name"),
        sa.UniqueConstraint("feed_token_hash", name="uq_saved_filters_feed_token_hash"),
    )
    copies = "duplicate_of_id IS NOT NULL"
    op.create_index("ix_items_duplicate_of", "items", ["duplicate_of_id"],
                    sqlite_where=sa.text(copies), postgresql_where=sa.text(copies))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.alter_column("editor_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint("fk_decisions_rule_id_rules", type_="foreignkey")
        batch.drop_column("rule_id")
        batch.drop_constraint("fk_decisions_reason_code_reason_codes", type_="foreignkey")
        batch.drop_column("reason_code")
    op.execute("ALTER TABLE items DROP COLUMN ruled_at")  # SQLite 3.35+ and PostgreSQL
    op.drop_table("rule_hits")
    op.drop_table("rules")
    op.drop_table("saved_filters")
    op.drop_table("reason_codes")
    op.drop_table("account_links")
    op.drop_index("ix_items_duplicate_of", table_name="items")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("review_language")
    op.drop_table("audit_events")
    op.drop_table("item_notes")
    op.drop_table("review_locks")
