"""What the queue shows: pending items newest first, one page at a time, and what else waits.

These are plain reads that load everything a page renders, so templates never touch the
database after the read transaction has ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from rabkor.core.store.models import (
    Decision,
    Item,
    ItemStatus,
    Source,
    Submission,
    User,
)
from rabkor.editor.filters import QueueFilter, filter_key, kept_count

PAGE_SIZE = 50
EVERY_PENDING = QueueFilter()
ORDERS = {
    "newest": (Item.sort_at.desc(), Item.id.desc()),
    "oldest": (Item.sort_at, Item.id),
    # submissions (no source) after the sources, on SQLite as on PostgreSQL
    "source": (Source.title.is_(None), Source.title, Item.sort_at.desc(), Item.id.desc()),
}


@dataclass(frozen=True)
class Page:
    items: Sequence[Item]
    number: int
    count: int
    size: int

    @property
    def last(self) -> int:
        return _page_count(self.count, self.size)


def pending_page(session: Session, number: int, chosen: QueueFilter = EVERY_PENDING,
                 matched: Sequence[int] | None = None, size: int = PAGE_SIZE) -> Page:
    """Page `number` (from 1) of the pending items the filter keeps (and among `matched`,
    the matches of its words); past the end it is the last page."""
    conditions = [*chosen.conditions(), *_among(matched)]
    count = pending_count(session, chosen, matched)
    number = min(max(1, number), _page_count(count, size))
    stmt = select(Item).where(*conditions)
    if chosen.sort == "source":
        stmt = stmt.outerjoin(Source, Source.id == Item.source_id)
    items = session.scalars(
        stmt.options(selectinload(Item.translations), joinedload(Item.source),
                     joinedload(Item.submission).joinedload(Submission.submitter))
        .order_by(*ORDERS[chosen.sort]).limit(size).offset((number - 1) * size)
    ).all()
    return Page(items=items, number=number, count=count, size=size)


def pending_count(session: Session, chosen: QueueFilter,
                  matched: Sequence[int] | None = None) -> int:
    """How many pending items the filter keeps: kept a few seconds like the facets' counts
    (editor/filters.py), forgotten at once by a decision."""
    return kept_count(session, ("total", filter_key(chosen),
                                None if matched is None else tuple(matched)),
                      lambda: session.scalar(select(func.count()).select_from(Item).where(
                          *chosen.conditions(), *_among(matched))) or 0)


def _among(matched: Sequence[int] | None) -> list[ColumnElement[bool]]:
    return [] if matched is None else [Item.id.in_(matched)]


def _page_count(count: int, size: int) -> int:
    return max(1, -(-count // size))


def recent_decisions(session: Session, limit: int = 100) -> Sequence[Decision]:
    return session.scalars(
        select(Decision)
        .options(joinedload(Decision.editor), joinedload(Decision.item), joinedload(Decision.rule))
        .order_by(Decision.created_at.desc(), Decision.id.desc())
        .limit(limit)
    ).all()


def remembered_language(store, user_id: int | None, asked: str | None,
                        languages: Sequence[str]) -> str:
    """The language of the translation an editor reads beside originals: the one just
    asked for (kept for next time; "" for the default), else the one kept."""
    with store.read() as session:
        user = session.get(User, user_id)
        kept = user.review_language if user else None
    wanted = kept if asked is None else (asked if asked in languages else None)
    if user is not None and wanted != kept:
        with store.transaction() as session:
            session.get(User, user_id).review_language = wanted
    return wanted or ""


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
