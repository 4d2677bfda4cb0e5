"""A correspondent's secrets for the doors without a session: the submissions API (a
Bearer token) and the private Atom feed of their submissions' states (a token in its
address). One live token of each kind a person: a new one revokes the old, the token
is shown once and only its digest kept (core/accounts.py `token_digest`). In core
because the site reads API tokens and the editor makes them and reads feed tokens."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rabkor.core.accounts import token_digest
from rabkor.core.store.kinds import TokenKind, utcnow
from rabkor.core.store.models import ApiToken, User

PREFIXES = {TokenKind.API: "rbk_", TokenKind.FEED: ""}  # an API token says what it is


def issue(session: Session, user_id: int, kind: TokenKind) -> str:
    """A new token of `kind` for the person, the old one revoked; returned once."""
    revoke(session, user_id, kind)
    token = PREFIXES[kind] + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, kind=kind, token_hash=token_digest(token)))
    session.flush()
    return token


def revoke(session: Session, user_id: int, kind: TokenKind) -> None:
    session.execute(update(ApiToken).where(
        ApiToken.user_id == user_id, ApiToken.kind == kind, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()))


def live(session: Session, user_id: int, kind: TokenKind) -> ApiToken | None:
    """The person's token of `kind` that still opens its door (its secret is not kept)."""
    return session.scalar(select(ApiToken).where(
        ApiToken.user_id == user_id, ApiToken.kind == kind, ApiToken.revoked_at.is_(None)))


def holder(session: Session, token: str, kind: TokenKind) -> User | None:
    """The active person whose live token this is, its use noted; None for any other."""
    if not token or len(token) > 200:
        return None
    found = session.scalar(select(ApiToken).where(
        ApiToken.token_hash == token_digest(token), ApiToken.kind == kind,
        ApiToken.revoked_at.is_(None)))
    if found is None or not found.user.active:
        return None
    found.last_used_at = utcnow()
    return found.user
