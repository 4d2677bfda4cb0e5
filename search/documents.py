"""What an item is to the index, the same for both engines: its original text in fields
of their own, its text in each site language (its own or a translation) under that
language's analysis, and the exact values filters and facets read.

Two text fields per language (title and body, the body being summary and content) and two
for the originals, instead of three per language plus three originals plus the source,
all of which every query ran against (28 fields on the default site): a query reads the
reader's language and the originals, four fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rabkor.core.store.models import (
    Item,
    ItemStatus,
    ItemTopic,
    Source,
    Submission,
    Topic,
    Translation,
)
from rabkor.core.text.html import plain_text
from rabkor.search.analysis import prepare

MAX_BODY = 20_000  # characters of body indexed per language: a long text's start finds it


@dataclass(frozen=True)
class SearchDocument:
    item_id: int
    language: str  # the original's, "" when unknown
    kind: str
    source_id: int  # 0 when the item has no source (a submission)
    source_name: str
    topics: tuple[str, ...]
    published: int  # seconds since 1970, UTC
    title: str  # the original, prepared
    body: str
    # site language → (title, body, "original" | "machine" | "human"), prepared
    texts: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    status: str = ItemStatus.APPROVED.value  # readers search "approved", the queue "pending"

    @property
    def year(self) -> int:
        return datetime.fromtimestamp(self.published, UTC).year


def fields_of(d: SearchDocument, languages: tuple[str, ...]) -> dict[str, object]:
    """A document as both engines store it, field by field (topics apart: each engine
    has its own multi-valued form)."""
    fields: dict[str, object] = {
        "id": d.item_id, "status": d.status, "lang": d.language, "kind": d.kind,
        "source": str(d.source_id),
        "published": d.published, "year": d.year, "source_name": d.source_name,
        "title_any": d.title, "body_any": d.body,
        "human": " ".join(lang for lang, (_, _, origin) in d.texts.items() if origin == "human"),
    }
    for lang, (title, body, _) in d.texts.items():
        if lang in languages:
            fields[f"title_{lang}"], fields[f"body_{lang}"] = title, body
    return fields


def documents_for(session: Session, ids: list[int],
                  languages: tuple[str, ...]) -> list[SearchDocument]:
    """The documents of these items, read with two plain queries (the items with their
    source and submission, then their translations into the site languages): building
    ORM objects for an item's 21 translations cost ten times the indexing itself."""
    # on the session's connection: rows as the database gives them, without the ORM's
    # result processing (a third of the read's time)
    connection = session.connection()
    rows = connection.execute(
        select(Item.id, Item.status, Item.title, Item.summary, Item.content, Item.language,
               Item.media_kind, Item.source_id, Item.published_at, Item.fetched_at,
               Source.title, Source.category, Submission.topic)
        .outerjoin(Source, Source.id == Item.source_id)
        .outerjoin(Submission, Submission.id == Item.submission_id)
        .where(Item.id.in_(ids)).order_by(Item.id)).all()
    translated: dict[tuple[int, str], dict[str, tuple[str, bool]]] = {}
    # all(): one fetchall, where iterating the result fetched its 21,000 rows one by one
    for item_id, name, lang, text, human in connection.execute(
            select(Translation.item_id, Translation.field, Translation.language,
                   Translation.text, Translation.is_human)
            .where(Translation.item_id.in_(ids), Translation.language.in_(languages))).all():
        translated.setdefault((item_id, lang), {})[name] = (text, human)
    desk: dict[int, list[str]] = {}  # the topics editors gave (editor/topics.py), by slug
    for item_id, slug in connection.execute(
            select(ItemTopic.item_id, Topic.slug).join(Topic, Topic.id == ItemTopic.topic_id)
            .where(ItemTopic.item_id.in_(ids))):
        desk.setdefault(item_id, []).append(slug)
    return [_document(row, translated, languages, desk.get(row[0], ())) for row in rows]


def _document(row, translated, languages: tuple[str, ...], desk_topics=()) -> SearchDocument:
    (item_id, status, title, summary, content, lang, kind, source_id, published, fetched,
     source_name, category, topic) = row
    lang = lang or ""
    original = prepare(title, lang or None), prepare(_body(summary, content), lang or None)
    texts: dict[str, tuple[str, str, str]] = {}
    for site_lang in languages:
        if site_lang == lang:
            texts[site_lang] = (*original, "original")
            continue
        fields = translated.get((item_id, site_lang))
        if not fields:
            continue
        text = {name: value for name, (value, _) in fields.items()}
        human = any(h for _, h in fields.values())
        texts[site_lang] = (
            prepare(text.get("title", ""), site_lang),
            prepare(_body(text.get("summary", ""), text.get("content", "")), site_lang),
            "human" if human else "machine")
    moment = published or fetched
    topics = tuple(sorted({t for t in (_topic(category), _topic(topic), *desk_topics) if t}))
    return SearchDocument(
        item_id=item_id, language=lang, kind=str(kind), source_id=source_id or 0,
        source_name=source_name or "", topics=topics,
        published=int(moment.astimezone(UTC).timestamp()),
        title=original[0], body=original[1], texts=texts,
        status=ItemStatus(status).value)


def _body(summary: str, content: str) -> str:
    summary, content = plain_text(summary or ""), plain_text(content or "")
    if summary and content.startswith(summary[:200]):
        summary = ""  # many feeds' summary is the content's first paragraph
    return f"{summary}\n{content}".strip()[:MAX_BODY]


def _topic(value: str | None) -> str:
    """A topic as the `topic:` operator and the facet name it: lower-case, spaces kept."""
    return " ".join((value or "").lower().split())
