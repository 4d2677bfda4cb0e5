"""The site's listings: the published items newest first — all of them, of a topic, of a
source, of a media kind, originally in a language, of a month — paged by a cursor.

A cursor is the last item's place in the order (its sort date and id; core/store/keyset.py,
as the desk's queue pages), so the next page starts where the last one stopped: no OFFSET
that walks every earlier item, and no item skipped or shown twice when items are
published while a reader pages (they arrive at the top). Every listing reads the same
covering index the queue reads (`ix_items_listing`, or `ix_items_source_sort` for one
source).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, selectinload

from rabkor.core.store import keyset
from rabkor.core.store.keyset import BadCursor as BadCursor  # what the handlers catch
from rabkor.core.store.models import Item, ItemStatus, ItemTopic, MediaKind, Source, Topic

PAGE = 20
FEED_SIZE = 50
KINDS = tuple(k.value for k in MediaKind)
_LOAD = (selectinload(Item.translations), selectinload(Item.source))
NEWEST = (Item.sort_at.desc(), Item.id.desc())


@dataclass(frozen=True)
class Listing:
    """Which published items: `by` one of "all", "topic", "source", "kind", "language",
    "month"; `value` the topic's id, the source's id, the kind, the language code or
    "YYYY-MM"."""

    by: str = "all"
    value: str = ""

    def conditions(self) -> list:
        conds = [Item.status == ItemStatus.APPROVED, Item.duplicate_of_id.is_(None)]
        if self.by == "topic":
            conds.append(Item.id.in_(select(ItemTopic.item_id)
                                     .where(ItemTopic.topic_id == int(self.value))))
        elif self.by == "source":
            conds.append(Item.source_id == int(self.value))
        elif self.by == "kind":
            conds.append(Item.media_kind == MediaKind(self.value))
        elif self.by == "language":
            conds.append(Item.language == self.value)
        elif self.by == "month":
            start, end = month_bounds(self.value)
            conds += [Item.sort_at >= start, Item.sort_at < end]
        return conds


@dataclass(frozen=True)
class AllOf(Listing):
    """The items of every one of `parts` at once (the API's combined filters); no part:
    all published items."""

    parts: tuple[Listing, ...] = ()

    def conditions(self) -> list:
        return [c for part in self.parts for c in part.conditions()] or super().conditions()


@dataclass(frozen=True)
class ListingPage:
    items: list[Item]
    next_cursor: str | None  # the page after this one, None at the end
    first: bool  # no cursor was given: the newest items


def page(session: Session, listing: Listing, cursor: str = "", limit: int = PAGE
         ) -> ListingPage:
    """The `limit` items after `cursor` (from the newest when it is empty)."""
    stmt = select(Item).where(*listing.conditions())
    if cursor:
        stmt = stmt.where(keyset.beyond(((Item.sort_at, True), (Item.id, True)),
                                        read_cursor(cursor)))
    found = list(session.scalars(stmt.order_by(*NEWEST).options(*_LOAD).limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    return ListingPage(found, write_cursor(found[-1]) if more else None, not cursor)


def write_cursor(item: Item) -> str:
    return keyset.write_cursor(item.sort_at, item.id)


def read_cursor(cursor: str) -> tuple[datetime, int]:
    moment, last_id = keyset.read_cursor(cursor, (datetime, int))
    return moment, last_id


def month_bounds(value: str) -> tuple[datetime, datetime]:
    """The first moment of "YYYY-MM" and of the month after; ValueError if it is no month."""
    year, _, month = value.partition("-")
    start = datetime(int(year), int(month), 1, tzinfo=UTC)
    end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def featured(session: Session, limit: int = 6) -> list[Item]:
    """The desk's featured items in its order (editor/topics.py), published ones only
    (a decision that unpublishes one unfeatures it; the status is checked here all the
    same). Asked by the featured index alone: with the status in the query, SQLite
    walked every published item by the status index."""
    found = session.scalars(select(Item).where(Item.featured_order.is_not(None))
                            .order_by(Item.featured_order, *NEWEST).options(*_LOAD))
    return [item for item in found if item.status == ItemStatus.APPROVED][:limit]


def topics(session: Session) -> list[tuple[Topic, int]]:
    """The topics in use with how many published items each has, most first."""
    counts = (select(ItemTopic.topic_id, func.count().label("n"))
              .join(Item, Item.id == ItemTopic.item_id)
              .where(Item.status == ItemStatus.APPROVED, Item.duplicate_of_id.is_(None))
              .group_by(ItemTopic.topic_id).subquery())
    rows = session.execute(select(Topic, func.coalesce(counts.c.n, 0))
                           .outerjoin(counts, counts.c.topic_id == Topic.id)
                           .where(Topic.active.is_(True))).all()
    return sorted(((t, n) for t, n in rows), key=lambda pair: (-pair[1], pair[0].slug))


def topic_by_slug(session: Session, slug: str) -> Topic | None:
    return session.scalar(select(Topic).where(Topic.slug == slug))


def months(session: Session) -> list[tuple[str, int]]:
    """Every month with published items ("YYYY-MM", how many), the newest first."""
    # the date as text begins "YYYY-MM" on SQLite and PostgreSQL alike (stored in UTC)
    month = func.substr(cast(Item.sort_at, String), 1, 7)
    rows = session.execute(select(month, func.count()).where(*Listing().conditions())
                           .group_by(month).order_by(month.desc())).all()
    return [(str(m), n) for m, n in rows]


def source_of(session: Session, source_id: int) -> Source | None:
    return session.get(Source, source_id)
