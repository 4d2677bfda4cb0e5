"""The site's credits: a public page for each correspondent who agreed to one, with the
published items they brought in and the translations they wrote (when they agreed to be
credited), and the contributors page, by the languages they write.

Only what the person agreed to show is read: an account without the public-profile
consent has no page (404), and its work is not listed under its name anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from rabkor.core.store.models import (
    Affiliation,
    Item,
    ItemStatus,
    Source,
    Submission,
    Translation,
    User,
)

SHOWN = 50  # of each kind of contribution on a profile


@dataclass
class Profile:
    user: User
    sources: list[tuple[int, str]]
    brought: list[Item] = field(default_factory=list)  # published items they submitted
    translated: list[Item] = field(default_factory=list)  # published items they translated
    total_brought: int = 0
    total_translated: int = 0


def _public(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.active and user.public_profile else None


def _brought(user_id: int):
    return (select(Item).join(Submission, Submission.id == Item.submission_id)
            .where(Submission.submitter_id == user_id, Item.status == ItemStatus.APPROVED))


def _translated(user_id: int):
    return select(Item).where(Item.status == ItemStatus.APPROVED, Item.id.in_(
        select(Translation.item_id).where(Translation.author_id == user_id,
                                          Translation.is_human.is_(True))))


def profile(session: Session, user_id: int) -> Profile | None:
    """The public page of `user_id`, or None when they have not agreed to one."""
    user = _public(session, user_id)
    if user is None:
        return None
    sources = [(i, t) for i, t in session.execute(
        select(Source.id, Source.title).join(Affiliation, Affiliation.source_id == Source.id)
        .where(Affiliation.user_id == user_id).order_by(Source.title))]
    found = Profile(user, sources)
    if user.credit_consent:
        load = (selectinload(Item.translations), selectinload(Item.source))
        for attr, query in (("brought", _brought(user_id)),
                            ("translated", _translated(user_id))):
            setattr(found, attr, list(session.scalars(
                query.options(*load).order_by(Item.sort_at.desc(), Item.id.desc())
                .limit(SHOWN))))
            setattr(found, f"total_{attr}", session.scalar(
                select(func.count()).select_from(query.subquery())))
    return found


def contributors(session: Session) -> dict[str, list[tuple[User, int]]]:
    """The correspondents with a public page, by each language they write ("" for none
    given), each with how many published items they brought in or translated (0 unless
    they agreed to be credited)."""
    people = list(session.scalars(select(User).where(
        User.active.is_(True), User.public_profile.is_(True)).order_by(User.display_name)))
    credited = [u.id for u in people if u.credit_consent]
    counts: dict[int, int] = {}
    if credited:
        for user_id, n in session.execute(
                select(Submission.submitter_id, func.count(Item.id))
                .join(Item, Item.submission_id == Submission.id)
                .where(Submission.submitter_id.in_(credited),
                       Item.status == ItemStatus.APPROVED).group_by(Submission.submitter_id)):
            counts[user_id] = counts.get(user_id, 0) + n
        for user_id, n in session.execute(
                select(Translation.author_id, func.count(func.distinct(Translation.item_id)))
                .join(Item, Item.id == Translation.item_id)
                .where(Translation.author_id.in_(credited), Translation.is_human.is_(True),
                       Item.status == ItemStatus.APPROVED).group_by(Translation.author_id)):
            counts[user_id] = counts.get(user_id, 0) + n
    groups: dict[str, list[tuple[User, int]]] = {}
    for user in people:
        for code in user.writes or [""]:
            groups.setdefault(code, []).append((user, counts.get(user.id, 0)))
    return groups
