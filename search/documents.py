"""What an item is to the index, the same for both engines: its original text in fields
of their own, its text in each site language (its own or a translation) under that
language's analysis, and the exact values filters and facets read.

Four text fields per language (title and body, the body being summary and content) instead
of the three per language plus three originals plus the source that every query ran
against (28 fields on the default site): a query reads the reader's language and the
originals, six fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC

from rabkor.core.store.models import Item
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

    @property
    def year(self) -> int:
        from datetime import datetime

        return datetime.fromtimestamp(self.published, UTC).year


def document_for(item: Item, languages: tuple[str, ...]) -> SearchDocument:
    """The document of an item whose translations and source are loaded."""
    lang = item.language or ""
    body = _body(item.summary, item.content)
    texts: dict[str, tuple[str, str, str]] = {}
    for site_lang in languages:
        if site_lang == lang:
            texts[site_lang] = (prepare(item.title, lang), prepare(body, lang), "original")
            continue
        title, summary, content = (item.translation(f, site_lang)
                                   for f in ("title", "summary", "content"))
        if not (title or summary or content):
            continue
        human = any(t is not None and t.is_human for t in (title, summary, content))
        texts[site_lang] = (
            prepare(title.text if title else "", site_lang),
            prepare(_body(summary.text if summary else "", content.text if content else ""),
                    site_lang),
            "human" if human else "machine")
    moment = item.published_at or item.fetched_at
    source = item.source
    topics = tuple(sorted({t for t in (_topic(source.category if source else None),
                                       _topic(item.submission.topic if item.submission
                                              else None)) if t}))
    return SearchDocument(
        item_id=item.id, language=lang, kind=str(item.media_kind),
        source_id=item.source_id or 0, source_name=source.title if source else "",
        topics=topics, published=int(moment.astimezone(UTC).timestamp()),
        title=prepare(item.title, lang or None), body=prepare(body, lang or None), texts=texts)


def _body(summary: str, content: str) -> str:
    summary, content = plain_text(summary or ""), plain_text(content or "")
    if summary and content.startswith(summary[:200]):
        summary = ""  # many feeds' summary is the content's first paragraph
    return f"{summary}\n{content}".strip()[:MAX_BODY]


def _topic(value: str | None) -> str:
    """A topic as the `topic:` operator and the facet name it: lower-case, spaces kept."""
    return " ".join((value or "").lower().split())
