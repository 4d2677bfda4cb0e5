"""The public directory of organisations: the sources grouped by tendency (the desk's
category) or by language, each with its own words and how much of it is published.

At the design's tens of thousands of sources the overview shows the first GROUP_SHOWN
of each group and links to the group's own pages, which go on by a cursor on the title
(no OFFSET); only the columns shown are read, and the counts of published items come
from one pass over the index of items by source.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session

from rabkor.core.store.models import Item, ItemStatus, Source

GROUPINGS = ("category", "language")
GROUP_SHOWN = 30  # sources per group on the overview
PAGE = 200  # sources per page of one group
DESCRIPTION = 240  # characters of a self-description shown in the directory


@dataclass(frozen=True)
class Entry:
    id: int
    title: str
    language: str | None
    description: str
    published: int


@dataclass
class Group:
    key: str  # the category or the language code; "" for sources without one
    entries: list[Entry] = field(default_factory=list)
    total: int = 0


class BadCursor(ValueError):
    """A directory cursor this site did not write."""


def _published(session: Session) -> dict[int, int]:
    return dict(session.execute(
        select(Item.source_id, func.count())
        .where(Item.status == ItemStatus.APPROVED, Item.duplicate_of_id.is_(None))
        .group_by(Item.source_id)).all())


def _rows(session: Session, *conds):
    column = func.substr(func.coalesce(Source.description, ""), 1, DESCRIPTION + 1)
    return session.execute(select(Source.id, Source.title, Source.feed_url, Source.language,
                                  Source.category, Source.enabled, column)
                           .where(*conds).order_by(Source.title, Source.id))


def _entry(row, counts: dict[int, int]) -> Entry:
    source_id, title, feed_url, language, _category, _enabled, description = row
    return Entry(source_id, title or feed_url, language, description, counts.get(source_id, 0))


def overview(session: Session, by: str) -> list[Group]:
    """Every group with its first GROUP_SHOWN sources by title and how many it has; the
    sources shown are those still read or with published items. Named groups first."""
    counts = _published(session)
    groups: dict[str, Group] = {}
    for row in _rows(session):
        entry = _entry(row, counts)
        if not (entry.published or row.enabled):
            continue
        key = (row.category if by == "category" else row.language) or ""
        group = groups.setdefault(key, Group(key))
        group.total += 1
        if len(group.entries) < GROUP_SHOWN:
            group.entries.append(entry)
    return sorted(groups.values(), key=lambda g: (not g.key, g.key.casefold()))


def group_page(session: Session, by: str, key: str, cursor: str = ""
               ) -> tuple[list[Entry], str | None]:
    """One group's sources by title from the cursor on, and the next page's cursor."""
    column = Source.category if by == "category" else Source.language
    conds = [column == key if key else or_(column.is_(None), column == ""),
             or_(Source.enabled.is_(True),
                 Source.id.in_(select(Item.source_id).where(
                     Item.status == ItemStatus.APPROVED, Item.duplicate_of_id.is_(None))))]
    if cursor:
        conds.append(tuple_(Source.title, Source.id) > read_cursor(cursor))
    rows = list(_rows(session, *conds).fetchmany(PAGE + 1))
    counts = _published(session)
    entries = [_entry(row, counts) for row in rows[:PAGE]]
    more = len(rows) > PAGE
    return entries, write_cursor(rows[PAGE - 1]) if more else None


def write_cursor(row) -> str:
    return base64.urlsafe_b64encode(json.dumps([row.title, row.id]).encode()).decode()


def read_cursor(cursor: str) -> tuple[str, int]:
    try:
        title, source_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as exc:
        raise BadCursor(cursor) from exc
    if not (isinstance(title, str) and isinstance(source_id, int)):
        raise BadCursor(cursor)
    return title, source_id


def monthly_rate(session: Session, source_id: int, now: datetime | None = None) -> int:
    """About how many of the source's items are published a month: over the last year,
    or since its first published item if that is later."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=365)
    conds = [Item.source_id == source_id, Item.status == ItemStatus.APPROVED,
             Item.duplicate_of_id.is_(None), Item.sort_at >= since]
    count, first = session.execute(select(func.count(), func.min(Item.sort_at))
                                   .where(*conds)).one()
    if not count:
        return 0
    first = first if first.tzinfo else first.replace(tzinfo=UTC)
    months = min(12.0, max(1.0, (now - first).days / 30.44))
    return round(count / months)
