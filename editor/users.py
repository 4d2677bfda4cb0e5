"""People on the desk, managed by administrators: invitations and password resets by
one-time link, roles, disabling (which ends the person's sessions at once), and the last
active administrator protected from being demoted or disabled. Every change is an
audit event with who made it and the state before and after.

A one-time link's token is shown once, to the administrator who made it; the store keeps
only its SHA-256, so a copy of the database opens no account.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rabkor.core.accounts import MIN_PASSWORD, create_user, hash_password, token_digest
from rabkor.core.errors import InvalidInput, NotFound, RabkorError
from rabkor.core.store.models import (
    AccountLink,
    Role,
    User,
    WebSession,
    utcnow,
)
from rabkor.editor.audit import record
from rabkor.editor.i18n import N_, _, word

LINK_DAYS = 7
INVITATION, RESET = "invitation", "reset"


class LastAdmin(RabkorError):
    """The change would leave the site without an active administrator."""

    status = 409


class LinkUnusable(RabkorError):
    """The one-time link is unknown, used already or expired."""

    status = 410


def invite(session: Session, admin: User, username: str, role: str) -> tuple[User, str]:
    """A new account that its owner opens by setting a password through the returned
    token; until then no password logs into it."""
    user = create_user(session, username, secrets.token_urlsafe(32), role)
    record(session, admin, "user invited", after={"user": user.username, "role": user.role})
    return user, _link(session, admin, user, INVITATION)


def reset(session: Session, admin: User, user: User) -> str:
    """A token with which the user sets a new password; older unused links stop working."""
    record(session, admin, "password reset link", after={"user": user.username})
    return _link(session, admin, user, RESET)


def use_link(session: Session, token: str, password: str) -> User:
    """Set the password through a one-time link, which is then spent."""
    link = link_of(session, token)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(_("a password needs at least {count} characters").format(
            count=MIN_PASSWORD))
    link.used_at = utcnow()
    link.user.password_hash = hash_password(password)
    session.execute(delete(WebSession).where(WebSession.user_id == link.user_id))
    record(session, link.user, "password set", after={"user": link.user.username,
                                                        "through": link.purpose})
    return link.user


def link_of(session: Session, token: str) -> AccountLink:
    link = session.scalar(select(AccountLink).where(AccountLink.token_hash == token_digest(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise LinkUnusable(_("this link is not valid any more (used, expired or replaced); "
                             "ask an administrator for a new one"))
    return link


def change_role(session: Session, admin: User, user: User, role: str) -> None:
    try:
        new = Role(role)
    except ValueError:
        raise InvalidInput(_("unknown role {role}; choose one of {roles}").format(
            role=repr(role), roles=", ".join(word(r) for r in Role))) from None
    if user.role == Role.ADMIN and new != Role.ADMIN:
        _not_the_last_admin(session, user, N_(
            "{name} is the last active administrator and cannot be demoted; make another "
            "person an administrator first"))
    before = user.role
    user.role = new
    record(session, admin, "user role", before={"user": user.username, "role": before},
           after={"user": user.username, "role": new})


def set_active(session: Session, admin: User, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends every session it has, now."""
    if not active and user.role == Role.ADMIN:
        _not_the_last_admin(session, user, N_(
            "{name} is the last active administrator and cannot be disabled; make another "
            "person an administrator first"))
    if user.active == active:
        return
    user.active = active
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    record(session, admin, "user enabled" if active else "user disabled",
           before={"user": user.username, "active": not active},
           after={"user": user.username, "active": active})


def user_of(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("there is no user {number}").format(number=user_id))
    return user


def _not_the_last_admin(session: Session, user: User, refusal: str) -> None:
    others = session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user.id))
    if not others and user.active:
        raise LastAdmin(_(refusal).format(name=user.username))


def _link(session: Session, admin: User, user: User, purpose: str) -> str:
    now = utcnow()
    session.execute(delete(AccountLink).where(AccountLink.user_id == user.id,
                                              AccountLink.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    session.add(AccountLink(token_hash=token_digest(token), user_id=user.id, purpose=purpose,
                            created_by_id=admin.id, created_at=now,
                            expires_at=now + timedelta(days=LINK_DAYS)))
    session.flush()
    return token


