"""The shapes that flow through the crawler, one canonical form whatever the input format.

Feed entries (RSS, Atom, JSON Feed) and the pages of sitemap sources become `DraftItem`s
before they reach the store. Whatever a spider learns becomes an outcome — `FetchOutcome`
(a source's feed, 304 or error), `PagesClaimed` (article pages asked for again),
`PageOutcome` (an article page's text or error) — and the store pipeline
(store/pipeline.py) alone writes them: spiders read the store, they never write it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rabkor.core.store.kinds import MediaKind


@dataclass(frozen=True)
class Analysis:
    """A draft's identified language, lingua's confidence and SimHash (analyse/analysis.py)."""

    language: str
    confidence: float | None
    simhash: int | None


@dataclass(frozen=True)
class DraftItem:
    """One entry, cleaned: plain-text title, allow-listed HTML, checked URLs, UTC time."""

    guid: str
    url: str
    title: str
    summary: str = ""
    content: str = ""
    author: str | None = None
    published_at: datetime | None = None
    media_kind: MediaKind = MediaKind.ARTICLE
    enclosure_url: str | None = None
    enclosure_type: str | None = None
    enclosure_length: int | None = None
    duration_seconds: int | None = None
    image_url: str | None = None
    language: str | None = None
    speaker: str | None = None
    extraction_error: str | None = None  # a sitemap page whose article text was not found
    # computed in the parse worker (crawler/analyse/analysis.py); not a column, `language` is
    # the declared one until then
    analysis: Analysis | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ParsedFeed:
    """What a feed says about itself, and its entries as drafts."""

    title: str
    site_url: str | None
    language: str | None
    items: list[DraftItem] = field(default_factory=list)
    update_seconds: int | None = None  # the feed's own <ttl> or sy:updatePeriod, in seconds
    websub: tuple[str, str] | None = None  # (hub, topic) it advertises (crawler/websub/hub.py)


@dataclass(frozen=True)
class SourceJob:
    """What a fetch needs to know about a source, detached from any database session."""

    source_id: int
    feed_url: str
    language: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    full_text: bool | None = None  # fetch items' pages (crawler/fetch/pages.py); None: auto
    credentials: tuple[str, str] | None = field(default=None, repr=False)  # HTTP basic auth


@dataclass(frozen=True)
class FetchOutcome:
    """The result of fetching one source: a feed, a 304, or a readable error."""

    source_id: int
    feed: ParsedFeed | None = None
    not_modified: bool = False
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_before: int | None = None  # seconds the server asked us to wait (max-age, Retry-After)


@dataclass(frozen=True)
class PagesClaimed:
    """Article pages of stored items asked for again (each one attempt more), and those
    given up (past their attempts or their age) with the message their item keeps."""

    source_id: int
    retried: tuple[int, ...] = ()
    given_up: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class PageOutcome:
    """An article page's answer for the stored item with `canonical_url`: its text, or why
    there is none; `declared_language` weighs the language identified from the text."""

    source_id: int
    canonical_url: str
    declared_language: str | None
    content: str = ""
    error: str | None = None
