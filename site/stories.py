"""One story's coverage: an item and the near-duplicates the crawler linked to it
(`duplicate_of_id`: the same story written up by other sources), with every source that
carried each (`item_sources`: the same article in several feeds) — which organisations
and tendencies carried it, in which languages, first and latest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from rabkor.core.store.models import Item, ItemSource, ItemStatus, Source


@dataclass(frozen=True)
class Story:
    items: list[Item]  # the first published first
    carriers: dict[int, list[Source]]  # item id → every source that carried it

    @property
    def first(self) -> datetime:
        return self.items[0].sort_at

    @property
    def latest(self) -> datetime:
        return self.items[-1].sort_at

    @property
    def languages(self) -> list[str]:
        return sorted({i.language for i in self.items if i.language})

    @property
    def sources(self) -> list[Source]:
        seen: dict[int, Source] = {}
        for item in self.items:
            for source in self.carriers.get(item.id, []):
                seen.setdefault(source.id, source)
        return list(seen.values())

    @property
    def tendencies(self) -> list[str]:
        return sorted({s.category for s in self.sources if s.category})


def story_of(session: Session, item_id: int) -> Story | None:
    """The published coverage of the story `item_id` belongs to; None when it is not
    published."""
    item = session.get(Item, item_id)
    if item is None or item.status != ItemStatus.APPROVED:
        return None
    root = item.duplicate_of_id or item.id
    items = list(session.scalars(
        select(Item).where(or_(Item.id == root, Item.duplicate_of_id == root),
                           Item.status == ItemStatus.APPROVED)
        .options(selectinload(Item.translations), selectinload(Item.source))
        .order_by(Item.sort_at, Item.id)))
    carriers: dict[int, list[Source]] = {i.id: ([i.source] if i.source else []) for i in items}
    for carried, source in session.execute(
            select(ItemSource.item_id, Source).join(Source, Source.id == ItemSource.source_id)
            .where(ItemSource.item_id.in_(list(carriers)))):
        if all(s.id != source.id for s in carriers[carried]):
            carriers[carried].append(source)
    return Story(items, carriers)


def coverage_count(session: Session, item: Item) -> int:
    """How many published items tell the story `item` belongs to (1: only itself)."""
    root = item.duplicate_of_id or item.id
    return session.scalar(select(func.count()).select_from(Item).where(
        or_(Item.id == root, Item.duplicate_of_id == root),
        Item.status == ItemStatus.APPROVED)) or 0
