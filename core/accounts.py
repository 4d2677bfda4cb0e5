"""Accounts: argon2 password hashes, creation and authentication."""

from __future__ import annotations

import functools
import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from rabkor.core.errors import AlreadyExists, InvalidInput, RabkorError
from rabkor.core.store.models import Role, User

_hasher = PasswordHasher()
MIN_PASSWORD = 8


class LoginFailed(RabkorError):
    """The username and password do not match an active account; which half was wrong is
    not said, so that guessing learns nothing."""

    status = 400


@functools.cache
def _dummy_hash() -> str:
    """Verified when the username is unknown, so both failures take the same time; made at
    first use, not at import (a quarter of a second that every command would pay)."""
    return _hasher.hash("rabkor-no-such-user")


def token_digest(token: str) -> str:
    """What the store keeps of a secret token (a session's, a one-time link's, a private
    feed's): its SHA-256, so a copy of the database opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    session: Session, username: str, password: str, role: Role | str, display_name: str = ""
) -> User:
    username = username.strip()
    if not username or len(username) > 100:
        raise InvalidInput("a username needs 1 to 100 characters")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")
    try:
        role = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {role!r}; choose one of {roles}") from None
    if session.scalar(select(User).where(User.username == username)):
        raise AlreadyExists(f"user {username!r} exists already")
    user = User(username=username, password_hash=hash_password(password), role=role,
                display_name=display_name or username)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with these credentials; LoginFailed, the same for either half wrong."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        raise LoginFailed("wrong username or password") from None
    if user is None or not user.active:
        raise LoginFailed("wrong username or password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
