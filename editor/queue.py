"""What the queue shows: pending items newest first, one page at a time, and what else waits.

These are plain reads that load everything a page renders, so templates never touch the
database after the read transaction has ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from rabkor.core.store.models import (
    Decision,
    Item,
    ItemStatus,
    Submission,
    SubmissionStatus,
)
from rabkor.search.engine import SearchResults

PAGE_SIZE = 50
NEWEST_FIRST = (func.coalesce(Item.published_at, Item.fetched_at).desc(), Item.id.desc())


@dataclass(frozen=True)
class Page:
    items: Sequence[Item]
    number: int
    count: int
    size: int

    @property
    def last(self) -> int:
        return _page_count(self.count, self.size)


def found_page(session: Session, found: SearchResults) -> Page:
    """A page of the queue's search results (search/), the items in the order found."""
    ids = [hit.item_id for hit in found.hits]
    items = {item.id: item for item in session.scalars(
        select(Item).where(Item.id.in_(ids), Item.status == ItemStatus.PENDING)
        .options(selectinload(Item.translations), joinedload(Item.source)))}
    return Page(items=[items[i] for i in ids if i in items], number=found.page,
                count=found.total, size=found.per_page)


def pending_page(session: Session, number: int, size: int = PAGE_SIZE) -> Page:
    """Page `number` (from 1) of the pending items; past the end it is the last page."""
    count = session.scalar(
        select(func.count()).select_from(Item).where(Item.status == ItemStatus.PENDING,
                                                     Item.duplicate_of_id.is_(None))
    ) or 0
    number = min(max(1, number), _page_count(count, size))
    items = session.scalars(
        select(Item)
        .where(Item.status == ItemStatus.PENDING, Item.duplicate_of_id.is_(None))
        .options(selectinload(Item.translations), joinedload(Item.source))
        .order_by(*NEWEST_FIRST)
        .limit(size)
        .offset((number - 1) * size)
    ).all()
    return Page(items=items, number=number, count=count, size=size)


def _page_count(count: int, size: int) -> int:
    return max(1, -(-count // size))


def pending_submissions(session: Session, limit: int = 100) -> Sequence[Submission]:
    return session.scalars(
        select(Submission)
        .where(Submission.status == SubmissionStatus.PENDING)
        .options(joinedload(Submission.submitter))
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(limit)
    ).all()


def recent_decisions(session: Session, limit: int = 100) -> Sequence[Decision]:
    return session.scalars(
        select(Decision)
        .options(joinedload(Decision.editor), joinedload(Decision.item))
        .order_by(Decision.created_at.desc(), Decision.id.desc())
        .limit(limit)
    ).all()


def translation_language(item: Item, chosen: str, languages: Sequence[str]) -> str | None:
    """The chosen language, else the first site language that is not the item's own."""
    if chosen:
        return chosen
    return next((lang for lang in languages if lang != item.language), None)


def reopenable(decisions: Sequence[Decision]) -> set[int]:
    """Ids of the decisions, newest first, that are their item's latest and can be undone."""
    seen: set[int] = set()
    latest: set[int] = set()
    for decision in decisions:
        if decision.item_id not in seen and decision.item.status != ItemStatus.PENDING:
            latest.add(decision.id)
        seen.add(decision.item_id)
    return latest
