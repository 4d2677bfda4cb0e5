"""What the item page shows an editor: the item with its translations and source, the
copies the crawler linked to it, and its history — decisions, notes and desk events in
one timeline (the notes are internal: the editorial roles see them, the site never)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from rabkor.core.errors import InvalidInput, NotFound
from rabkor.core.store.models import Item, ItemNote, Submission, User
from rabkor.core.text.html import paragraphs
from rabkor.editor.audit import Entry, entries, record
from rabkor.editor.i18n import _, number
from rabkor.editor.rules import hits_of

MAX_NOTE = 5000  # characters
HISTORY = 500  # entries an item's page lists


@dataclass(frozen=True)
class Review:
    item: Item
    copies: list[Item]
    history: list[Entry]
    hits: list = field(default_factory=list)  # the rules that touched it


def review_of(session: Session, item_id: int) -> Review:
    item = session.scalar(select(Item).where(Item.id == item_id).options(
        selectinload(Item.translations), selectinload(Item.topics), joinedload(Item.source),
        joinedload(Item.submission).joinedload(Submission.submitter)))
    if item is None:
        raise NotFound(_("there is no item {number}").format(number=item_id))
    copies = list(session.scalars(select(Item).where(Item.duplicate_of_id == item_id)
                                  .options(joinedload(Item.source)).order_by(Item.id)))
    history = entries(session, item_id=item_id, limit=HISTORY)
    return Review(item, copies, history, hits_of(session, [item_id]).get(item_id, []))


def add_note(session: Session, item_id: int, author: User, text: str) -> ItemNote:
    text = text.strip()
    if not text:
        raise InvalidInput(_("a note needs some text"))
    if len(text) > MAX_NOTE:
        raise InvalidInput(_("a note is at most {limit} characters; this one has {count}").format(
            limit=number(MAX_NOTE), count=number(len(text))))
    if session.get(Item, item_id) is None:
        raise NotFound(_("there is no item {number}").format(number=item_id))
    note = ItemNote(item_id=item_id, author_id=author.id, text=text)
    session.add(note)
    session.flush()
    return note


MAX_TITLE = 1000


def edit_item(session: Session, item_id: int, editor: User, title: str, summary: str) -> bool:
    """Correct an item's title and summary (the summary as plain text, kept as a paragraph);
    recorded with the text before and after. True when anything changed; a published
    item is then indexed again (its updated_at moves)."""
    item = session.get(Item, item_id, with_for_update=True)
    if item is None:
        raise NotFound(_("there is no item {number}").format(number=item_id))
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(_("a title needs 1 to {count} characters").format(
            count=number(MAX_TITLE)))
    text = "\n".join(line.strip() for line in summary.strip().splitlines() if line.strip())
    if len(text) > MAX_NOTE * 4:
        raise InvalidInput(_("a summary is at most {count} characters").format(
            count=number(MAX_NOTE * 4)))
    new_summary = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    before = paragraphs(item.summary or "")
    if title == item.title and text == before:
        return False
    record(session, editor, "item edited", item_id=item_id,
           before={"title": item.title, "summary": before},
           after={"title": title, "summary": text})
    item.title, item.summary = title, new_summary
    return True
