"""Correspondents' accounts: invitations anyone on the desk gives (the invitation tree),
applications under open registration, profiles, consents with their wording, the
organisations of the directory a person belongs to, and submissions whose submitter has
deleted their account

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("invited_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("applied_at", NOW, nullable=True))
        batch.add_column(sa.Column("country", sa.String(100), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("reads", sa.JSON(), nullable=False,
                                   server_default="[]"))
        batch.add_column(sa.Column("writes", sa.JSON(), nullable=False,
                                   server_default="[]"))
        batch.add_column(sa.Column("affiliations", sa.Text(), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("bio", sa.Text(), nullable=False, server_default=""))
        for name in ("credit_consent", "public_profile", "contact_consent"):
            batch.add_column(sa.Column(name, sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
        batch.create_foreign_key("fk_users_invited_by_id_users", "users",
                                 ["invited_by_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("submitter_gone", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="CASCADE", name="fk_consents_user_id_users"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("at", NOW, nullable=False),
    )
    op.create_index("ix_consents_user_id", "consents", ["user_id"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="SET NULL", name="fk_invitations_created_by_id_users"),
            nullable=True),
        sa.Column("created_at", NOW, nullable=False),
        sa.Column("expires_at", NOW, nullable=False),
        sa.Column("used_by_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="SET NULL", name="fk_invitations_used_by_id_users"),
            nullable=True),
        sa.Column("used_at", NOW, nullable=True),
        sa.Column("revoked_at", NOW, nullable=True),
    )
    op.create_index("ix_invitations_created_by_id", "invitations", ["created_by_id"])
    op.create_table(
        "affiliations",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="CASCADE", name="fk_affiliations_user_id_users"),
            primary_key=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey(
            "sources.id", ondelete="CASCADE", name="fk_affiliations_source_id_sources"),
            primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("affiliations")
    op.drop_index("ix_invitations_created_by_id", table_name="invitations")
    op.drop_table("invitations")
    op.drop_index("ix_consents_user_id", table_name="consents")
    op.drop_table("consents")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("submitter_gone")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_invited_by_id_users", type_="foreignkey")
        for name in ("contact_consent", "public_profile", "credit_consent", "bio",
                     "affiliations", "writes", "reads", "country", "applied_at",
                     "invited_by_id"):
            batch.drop_column(name)
