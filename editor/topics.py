"""The desk's topics and featured items: a managed vocabulary of topics, each with its name
in every site language (readers browse by them in their own language), given to items by
editors; and the items featured on the home page, in the order the desk sets. Every change
is in the audit log and makes the item due for the search index again."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from rabkor.core.errors import AlreadyExists, InvalidInput, NotFound
from rabkor.core.store.models import Item, ItemStatus, ItemTopic, Topic, User, utcnow
from rabkor.core.text.html import plain_text
from rabkor.editor.audit import record
from rabkor.editor.i18n import _, language_name, number, word

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
MAX_NAME = 100
MAX_TOPICS = 12  # on one item
MAX_FEATURED_ORDER = 10_000


def every(session: Session, *, active_only: bool = False) -> list[Topic]:
    q = select(Topic).order_by(Topic.slug)
    return list(session.scalars(q.where(Topic.active.is_(True)) if active_only else q))


def use(session: Session) -> dict[int, int]:
    return dict(session.execute(select(ItemTopic.topic_id, func.count())
                                .group_by(ItemTopic.topic_id)).all())


def add(session: Session, admin: User, slug: str, names: Mapping[str, str],
        languages: Sequence[str]) -> Topic:
    """A new topic; its slug names it in addresses (/en/topics/strikes), and it needs a name
    in every site language, so that no reader meets a topic in someone else's language."""
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug):
        raise InvalidInput(_("a topic's address name is 1 to 60 letters, digits and hyphens, "
                             "like “dock-strikes”; “{value}” is not").format(value=slug[:60]))
    if session.scalar(select(Topic.id).where(Topic.slug == slug)) is not None:
        raise AlreadyExists(_("the topic “{name}” exists already").format(name=slug))
    topic = Topic(slug=slug, names=_names(names, languages), active=True)
    session.add(topic)
    session.flush()
    record(session, admin, "topic added", after={"topic": slug, "names": topic.names})
    return topic


def rename(session: Session, admin: User, topic_id: int, names: Mapping[str, str],
           languages: Sequence[str]) -> None:
    topic = _topic(session, topic_id)
    checked = _names(names, languages)
    if checked != topic.names:
        record(session, admin, "topic renamed", before={"topic": topic.slug, "names": topic.names},
               after={"topic": topic.slug, "names": checked})
        topic.names = checked


def switch(session: Session, admin: User, topic_id: int, active: bool) -> None:
    """Retire a topic (its items keep it; it is no longer offered) or restore it."""
    topic = _topic(session, topic_id)
    if topic.active != active:
        topic.active = active
        record(session, admin, "topic " + ("restored" if active else "retired"),
               after={"topic": topic.slug})


def _names(names: Mapping[str, str], languages: Sequence[str]) -> dict[str, str]:
    checked = {lang: plain_text(names.get(lang, ""), MAX_NAME + 1) for lang in languages}
    missing = [language_name(lang) for lang, name in checked.items() if not name]
    if missing:
        raise InvalidInput(_("the topic needs a name in every site language; missing: "
                             "{languages}").format(languages=", ".join(missing)))
    long = [language_name(lang) for lang, name in checked.items() if len(name) > MAX_NAME]
    if long:
        raise InvalidInput(_("a topic's name is at most {count} characters ({languages})").format(
            count=MAX_NAME, languages=", ".join(long)))
    return checked


def _topic(session: Session, topic_id: int) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise NotFound(_("there is no topic {number}").format(number=topic_id))
    return topic


def _item(session: Session, item_id: int) -> Item:
    item = session.scalar(select(Item).where(Item.id == item_id)
                          .options(selectinload(Item.topics)).with_for_update())
    if item is None:
        raise NotFound(_("there is no item {number}").format(number=item_id))
    return item


def set_topics(session: Session, editor: User, item_id: int, topic_ids: Sequence[int]) -> bool:
    """Give an item exactly these topics (retired ones it has may stay, new ones must be in
    use); True when that changed anything."""
    item = _item(session, item_id)
    wanted = set(topic_ids)
    if len(wanted) > MAX_TOPICS:
        raise InvalidInput(_("an item has at most {count} topics").format(count=MAX_TOPICS))
    had = {t.id: t for t in item.topics}
    new = [i for i in wanted if i not in had]
    found = {t.id: t for t in session.scalars(select(Topic).where(Topic.id.in_(new)))}
    unknown = [i for i in new if i not in found or not found[i].active]
    if unknown:
        raise InvalidInput(_("a topic chosen is not in the list of topics in use (retired or "
                             "removed meanwhile); reload the page"))
    if wanted == set(had):
        return False
    before = sorted(t.slug for t in item.topics)
    item.topics = [had.get(i) or found[i] for i in wanted]
    item.updated_at = utcnow()  # the index reads the item's topics again
    record(session, editor, "topics changed", item_id=item_id, before={"topics": before},
           after={"topics": sorted(t.slug for t in item.topics)})
    return True


def feature(session: Session, editor: User, item_id: int, order: str) -> bool:
    """Feature a published item on the home page at `order` (smaller first), or stop
    featuring it (an empty order); True when that changed anything."""
    item = _item(session, item_id)
    order = order.strip()
    if order and not (order.isdigit() and 1 <= int(order) <= MAX_FEATURED_ORDER):
        raise InvalidInput(_("a featured item's place is a number from 1 to {count}").format(
            count=number(MAX_FEATURED_ORDER)))
    place = int(order) if order else None
    if place is not None and item.status != ItemStatus.APPROVED:
        raise InvalidInput(_("only a published item can be featured; this one is {status}")
                           .format(status=word(item.status)))
    if place == item.featured_order:
        return False
    record(session, editor, "featured" if place is not None else "no longer featured",
           item_id=item_id, before={"order": item.featured_order}, after={"order": place})
    item.featured_order = place
    return True


def featured(session: Session) -> list[Item]:
    """The featured items, in their order (ties: the newest first)."""
    return list(session.scalars(select(Item).where(Item.featured_order.is_not(None))
                                .options(joinedload(Item.source))
                                .order_by(Item.featured_order, Item.sort_at.desc())))
