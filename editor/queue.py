"""What the queue shows: pending items in an order, a keyset page at a time, and what else
waits.

These are plain reads that load everything a page renders, so templates never touch the
database after the read transaction has ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from rabkor.core.store import keyset
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
_NO_SOURCE = case((Source.title.is_(None), 1), else_=0)
_TITLE = func.coalesce(Source.title, "")
# each sort's keys, (expression, descending), the last one unique: a page is cut by them
ORDERS: dict[str, tuple[tuple[ColumnElement, bool], ...]] = {
    "newest": ((Item.sort_at, True), (Item.id, True)),
    "oldest": ((Item.sort_at, False), (Item.id, False)),
    # submissions (no source) after the sources, on SQLite as on PostgreSQL
    "source": ((_NO_SOURCE, False), (_TITLE, False), (Item.sort_at, True), (Item.id, True)),
}


@dataclass(frozen=True)
class Page:
    items: Sequence[Item]
    count: int
    after: str | None  # the cursor of the next page; None: this is the last one
    before: str | None  # the cursor of the previous page; None: this is the first one


def pending_page(session: Session, chosen: QueueFilter = EVERY_PENDING,
                 matched: Sequence[int] | None = None, *, after: str = "", before: str = "",
                 size: int = PAGE_SIZE) -> Page:
    """The pending items the filter keeps (and among `matched`, the matches of its words)
    after the cursor `after`, or before `before` — keyset pages, so a deep page costs what
    the first does. Past the end it is the last page; before the start, the first.
    BadCursor (core/store/keyset.py) for a cursor the queue did not write."""
    keys = ORDERS[chosen.sort]
    backwards = tuple((key, not descending) for key, descending in keys)
    count = pending_count(session, chosen, matched)
    conditions = [*chosen.conditions(), *_among(matched)]
    if before:
        found = _read(session, chosen, backwards, conditions, _key(session, chosen, before),
                      size + 1)
        if len(found) > size:
            found = found[:size][::-1]
            return Page(found, count, _cursor(chosen, found[-1]), _cursor(chosen, found[0]))
        after = ""  # at the start: the first page, full
    bound = _key(session, chosen, after) if after else None
    found = _read(session, chosen, keys, conditions, bound, size + 1)
    if bound is not None and not found:  # every item past it was decided: the last page
        found = _read(session, chosen, backwards, conditions, None, size + 1)[::-1]
        earlier = len(found) > size
        found = found[-size:]
        return Page(found, count, None, _cursor(chosen, found[0]) if earlier else None)
    later = len(found) > size
    found = found[:size]
    earlier = bound is not None and found and _any(session, chosen, conditions, backwards,
                                                   _key_of(chosen, found[0]))
    return Page(found, count, _cursor(chosen, found[-1]) if later else None,
                _cursor(chosen, found[0]) if earlier else None)


def _statement(chosen: QueueFilter, conditions, keys, bound) -> Select:
    stmt = select(Item).where(*conditions)
    if chosen.sort == "source":
        stmt = stmt.outerjoin(Source, Source.id == Item.source_id)
    if bound is not None:
        stmt = stmt.where(keyset.beyond(keys, bound))
    return stmt


def _read(session: Session, chosen: QueueFilter, keys, conditions, bound, limit: int
          ) -> list[Item]:
    stmt = _statement(chosen, conditions, keys, bound).options(
        selectinload(Item.translations), joinedload(Item.source),
        joinedload(Item.submission).joinedload(Submission.submitter))
    return list(session.scalars(stmt.order_by(*ordering(keys)).limit(limit)))


def ordering(keys: tuple[tuple[ColumnElement, bool], ...]) -> list[ColumnElement]:
    """ORDER BY of a sort's keys (ORDERS)."""
    return [key.desc() if descending else key.asc() for key, descending in keys]


def _any(session: Session, chosen: QueueFilter, conditions, keys, bound) -> bool:
    stmt = _statement(chosen, conditions, keys, bound).with_only_columns(Item.id).limit(1)
    return session.scalar(stmt) is not None


def _cursor(chosen: QueueFilter, item: Item) -> str:
    if chosen.sort == "source":
        return keyset.write_cursor(item.source_id or 0, item.sort_at, item.id)
    return keyset.write_cursor(item.sort_at, item.id)


def _key_of(chosen: QueueFilter, item: Item) -> tuple:
    if chosen.sort == "source":
        title = item.source.title if item.source is not None else None
        return (1 if title is None else 0, title or "", item.sort_at, item.id)
    return (item.sort_at, item.id)


def _key(session: Session, chosen: QueueFilter, cursor: str) -> tuple:
    """The sort values a cursor stands for: a source's place is its title, read now."""
    if chosen.sort != "source":
        return keyset.read_cursor(cursor, (datetime, int))
    source_id, moment, item_id = keyset.read_cursor(cursor, (int, datetime, int))
    title = session.scalar(select(Source.title).where(Source.id == source_id))
    return (1 if title is None else 0, title or "", moment, item_id)


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
