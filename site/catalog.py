"""Published items one by one, or by ids in a given order (search results); the listings
are site/listings.py."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from rabkor.core.store.models import Item, ItemStatus

_LOAD = (selectinload(Item.translations), selectinload(Item.source))


def approved_item(session: Session, item_id: int) -> Item | None:
    stmt = select(Item).where(Item.id == item_id, Item.status == ItemStatus.APPROVED)
    return session.scalar(stmt.options(*_LOAD))


def approved_items_by_id(session: Session, ids: list[int]) -> list[Item]:
    """The approved ones among `ids`, in the order given (search ranking order)."""
    stmt = select(Item).where(Item.id.in_(ids), Item.status == ItemStatus.APPROVED)
    found = {item.id: item for item in session.scalars(stmt.options(*_LOAD))}
    return [found[i] for i in ids if i in found]
