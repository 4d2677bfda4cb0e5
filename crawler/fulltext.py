"""Full text for summary-only feeds: fetch a new item's article page and extract its main text.

A source's `full_text` says when: True always, False never, None (auto) when the entry's
text is shorter than `SHORT_TEXT` characters. Only articles are fetched, only items the
store does not hold yet, and at most `settings.full_text_pages` per source and crawl.
The feed spider asks `FullText.requests` for the page requests before it yields the
feed's outcome and yields them after it, so each item is committed with its feed
summary first and the page, fetched through the same guarded and bounded Scrapy
download (robots.txt included), only updates it: a crash loses nothing. trafilatura
extracts the text (paragraphs, headings, lists, quotes, links) and clean_html sanitizes
it; a page that fails leaves the summary and a readable `extraction_error`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import lxml.etree
import lxml.html
import scrapy
import trafilatura
from scrapy.http import Response, TextResponse
from sqlalchemy import or_, select
from twisted.python.failure import Failure

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, MediaKind
from rabkor.crawler.canonical import canonical_url
from rabkor.crawler.clean import MAX_CONTENT, clean_html, plain_text
from rabkor.crawler.draft import DraftItem, ParsedFeed, SourceJob
from rabkor.crawler.fetch import describe_failure, host_of
from rabkor.crawler.language import MAX_CHARS, identify

logger = logging.getLogger(__name__)

SHORT_TEXT = 500  # auto mode: an entry with less text than this is only a summary
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
PAGE_PRIORITY = -10  # feeds first: a crawl's pages wait until its feeds are in
MAX_ERROR = 500
NOTHING_FOUND = "no article text found on the page"
# trafilatura's HTML as the allow-list knows it: h1 is the page's title, not a heading in it,
# and a table's rows become paragraphs (the allow-list has no tables).
RENAMED = {"h1": "h2", "b": "strong", "i": "em", "table": "div", "tbody": "div",
           "thead": "div", "tr": "p", "td": "span", "th": "span"}


@dataclass(frozen=True)
class Page:
    """What the page's answer needs: which item it fills, and the language the feed declared."""

    source_id: int
    canonical_url: str
    declared_language: str | None


def wants_page(draft: DraftItem, full_text: bool | None) -> bool:
    """Whether an entry's page should be fetched under the source's `full_text` setting."""
    if full_text is False or draft.media_kind != MediaKind.ARTICLE:
        return False
    return full_text is True or len(plain_text(draft.content or draft.summary,
                                               SHORT_TEXT)) < SHORT_TEXT


def extract(html: str | bytes, url: str) -> str:
    """The page's main text as allow-listed HTML; "" when trafilatura finds no article."""
    found = trafilatura.extract(html, url=url, output_format="html", include_links=True,
                                include_formatting=True, include_comments=False)
    if not found:
        return ""
    root = lxml.html.fromstring(found)
    for element in root.iter(*RENAMED):
        if element.tag in ("td", "th"):  # cells would run together once unwrapped
            element.tail = " " + (element.tail or "")
        element.tag = RENAMED[element.tag]
    body = lxml.etree.tostring(root, encoding="unicode", method="html")
    return clean_html(body, MAX_CONTENT)


def _adds_text(content: str, feed_text: str) -> bool:
    """Whether the page's text says more than the feed did (a menu alone does not)."""
    return len(plain_text(content, MAX_CONTENT)) > len(plain_text(feed_text, MAX_CONTENT))


class FullText:
    """Page requests for one crawl's feeds, and the items' updates when the pages answer."""

    def __init__(self, spider: scrapy.Spider) -> None:
        self.spider = spider  # its settings are bound only once the crawl starts
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        return self.spider.settings["RABKOR_SETTINGS"]

    @property
    def store(self) -> Store:
        if self._store is None:  # most crawls never need it
            self._store = Store(self.settings)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def requests(self, job: SourceJob, feed: ParsedFeed) -> list[scrapy.Request]:
        """Requests for the pages of the feed's new items that want full text, bounded."""
        limit = self.settings.full_text_pages
        wanted = {canonical_url(d.url): d for d in feed.items if wants_page(d, job.full_text)}
        if not wanted or limit <= 0:
            return []
        candidates = dict(list(wanted.items())[:limit * 4])  # most are new; bound the query
        known = self._known(candidates)
        fresh = [(c, d) for c, d in candidates.items() if c not in known and d.url not in known]
        return [self._request(job, canon, draft) for canon, draft in fresh[:limit]]

    def _known(self, wanted: dict[str, DraftItem]) -> set[str]:
        """Canonical URLs and URLs among `wanted` that the store already holds."""
        urls = [d.url for d in wanted.values()]
        with self.store.read() as session:
            rows = session.execute(select(Item.canonical_url, Item.url).where(
                or_(Item.canonical_url.in_(list(wanted)), Item.url.in_(urls)))).all()
        return {value for row in rows for value in row if value}

    def _request(self, job: SourceJob, canon: str, draft: DraftItem) -> scrapy.Request:
        return scrapy.Request(draft.url, callback=self.parse_page, errback=self.page_failed,
                              headers={"Accept": PAGE_ACCEPT}, priority=PAGE_PRIORITY,
                              meta={"page": Page(job.source_id, canon, draft.language)})

    async def parse_page(self, response: Response) -> None:
        page: Page = response.meta["page"]
        kind = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or "html" not in kind:
            self._record(page, error=f"not an HTML page ({kind.split(';')[0] or 'no type'})")
            return
        try:
            content = await asyncio.to_thread(extract, response.text, response.url)
        except Exception as exc:  # an extractor bug costs one page, not the crawl
            logger.exception("extraction failed source_id=%s url=%s", page.source_id,
                             response.url)
            self._record(page, error=f"extraction failed: {exc!r}")
            return
        self._record(page, content=content)

    def page_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        from twisted.internet import reactor  # only once Scrapy has installed its reactor

        refusal_for = getattr(reactor.nameResolver, "refusal_for", None)
        refused = refusal_for(host_of(request.url)) if refusal_for else None
        self._record(request.meta["page"],
                     error=describe_failure(failure, self.settings, refused))

    def _record(self, page: Page, *, content: str = "", error: str | None = None) -> None:
        """The page's result on its item: the text (and its language), or why there is none."""
        with self.store.transaction() as session:
            item = session.scalar(select(Item).where(Item.canonical_url == page.canonical_url))
            if item is None:
                logger.warning("page for an item not stored source_id=%s url=%s",
                               page.source_id, page.canonical_url)
                return
            if error is None and not _adds_text(content, item.content or item.summary):
                error = NOTHING_FOUND
            if error is not None:
                item.extraction_error = f"page {item.url}: {error}"[:MAX_ERROR]
                logger.info("full text failed item_id=%s error=%s", item.id, error)
                return
            item.content, item.extraction_error = content, None
            found = identify(f"{item.title}. {plain_text(content, MAX_CHARS)}",
                             page.declared_language)
            item.language, item.language_confidence = found.language, found.confidence
            logger.debug("full text stored item_id=%s chars=%s", item.id, len(content))
