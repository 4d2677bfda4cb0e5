"""What the item page shows an editor: the item with its translations and source, the
copies the crawler linked to it, and its history — decisions, notes and desk events in
one timeline (the notes are internal: the editorial roles see them, the site never)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from rabkor.core.errors import InvalidInput, NotFound
from rabkor.core.store.models import AuditEvent, Decision, Item, ItemNote, User

MAX_NOTE = 5000  # characters


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    kind: str  # "decision", "note", or an audit event's action
    text: str


@dataclass(frozen=True)
class Review:
    item: Item
    copies: list[Item]
    history: list[Entry]


def review_of(session: Session, item_id: int) -> Review:
    item = session.scalar(select(Item).where(Item.id == item_id).options(
        selectinload(Item.translations), joinedload(Item.source)))
    if item is None:
        raise NotFound(f"there is no item {item_id}")
    copies = list(session.scalars(select(Item).where(Item.duplicate_of_id == item_id)
                                  .options(joinedload(Item.source)).order_by(Item.id)))
    history = [Entry(d.created_at, d.editor.username, "decision",
                     f"{d.action}: {d.from_status} → {d.to_status}"
                     + (f" ({d.reason})" if d.reason else ""))
               for d in session.scalars(select(Decision).where(Decision.item_id == item_id)
                                        .options(joinedload(Decision.editor)))]
    history += [Entry(n.created_at, n.author.username, "note", n.text)
                for n in session.scalars(select(ItemNote).where(ItemNote.item_id == item_id)
                                         .options(joinedload(ItemNote.author)))]
    history += [Entry(e.created_at, e.actor.username if e.actor else "Rabkor", e.action,
                      _event_text(e))
                for e in session.scalars(select(AuditEvent).where(AuditEvent.item_id == item_id)
                                         .options(joinedload(AuditEvent.actor)))]
    history.sort(key=lambda e: e.at, reverse=True)
    return Review(item, copies, history)


def add_note(session: Session, item_id: int, author: User, text: str) -> ItemNote:
    text = text.strip()
    if not text:
        raise InvalidInput("a note needs some text")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"a note is at most {MAX_NOTE:,} characters; this one has {len(text):,}")
    if session.get(Item, item_id) is None:
        raise NotFound(f"there is no item {item_id}")
    note = ItemNote(item_id=item_id, author_id=author.id, text=text)
    session.add(note)
    session.flush()
    return note


def _event_text(event: AuditEvent) -> str:
    if event.action == "lock taken over":
        before = event.before or {}
        return (f"took over the review from {before.get('holder', '?')}"
                + (" (their lock had expired)" if before.get("stale") else ""))
    return event.action
