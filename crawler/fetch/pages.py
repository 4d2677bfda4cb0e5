"""Full text for summary-only feeds: fetch an item's article page and extract its main text.

Which entries want their page is the source's `full_text` setting (`wants_page`, in
crawler/store/items.py: the store marks such an item pending as it writes it). At most
`settings.full_text_pages` pages per source and crawl: first those still pending from
earlier crawls, oldest first, then the feed's new items. Pending pages are how a crawl
that crashed or was stopped (or the bound) loses none: the next crawl of the source,
whether its feed changed or answered 304, asks for them again — each at most
`MAX_ATTEMPTS` times and for `RETRY_AGE` after its item was stored, so a page that kills
or stalls every crawl does not cost every crawl forever. An answer, text or error, ends
the retries.

The feed spider asks `FullText.requests` for the page requests before it yields the
feed's outcome and yields them after it, so each item is committed with its feed
summary first and the page, fetched through the same guarded and bounded Scrapy
download (robots.txt included), only updates it. trafilatura extracts the text
(paragraphs, headings, lists, quotes, links) and clean_html sanitizes it; the item's
language and SimHash are then computed again from the full text (analysis.analyse), and
it is linked if it now matches a stored story (items.refingerprint). A page that fails
leaves the summary and a readable `extraction_error`. trafilatura is imported only when a
page is extracted (4 MB and 50 ms measured, which a crawl that fetches no page is spared).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

import scrapy
from scrapy.http import Response, TextResponse
from sqlalchemy import or_, select, update
from twisted.python.failure import Failure

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, utcnow
from rabkor.core.text.html import clean_html, plain_text
from rabkor.crawler.analyse.analysis import analyse
from rabkor.crawler.analyse.canonical import canonical_url
from rabkor.crawler.analyse.language import UNDETERMINED
from rabkor.crawler.draft import DraftItem, ParsedFeed, SourceJob
from rabkor.crawler.fetch.bounds import describe_failure, host_of
from rabkor.crawler.parse.clean import MAX_CONTENT
from rabkor.crawler.store.items import refingerprint, wants_page

logger = logging.getLogger(__name__)
_one_at_a_time = threading.Lock()  # see extract

MAX_ATTEMPTS = 3  # retries of a pending page (after the first request)
RETRY_AGE = timedelta(days=2)  # after this an item's page is no longer worth a request
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
PAGE_PRIORITY = -10  # feeds first: a crawl's pages wait until its feeds are in
MAX_ERROR = 500
NOTHING_FOUND = "no article text found on the page"
GAVE_UP = f"given up: no answer after {MAX_ATTEMPTS + 1} tries or within {RETRY_AGE.days} days"
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


def extract(html: str | bytes, url: str) -> str:
    """The page's main text as allow-listed HTML; "" when trafilatura finds no article.

    One extraction at a time: callers run it in threads (off the reactor), and trafilatura
    shares module-level lxml parsers between them, which lxml does not allow: concurrent
    extractions crashed the process now and then (a segfault or a double free in about 1
    run in 12 that extracted the 12 test pages in parallel threads; none in 30 with the lock)."""
    import lxml.etree
    import lxml.html
    import trafilatura

    with _one_at_a_time:
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
        if self._store is None:  # a crawl of sources that all refuse full text never does
            self._store = Store(self.settings)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def requests(self, job: SourceJob, feed: ParsedFeed | None) -> list[scrapy.Request]:
        """Requests for the source's pending pages, then for the pages of the feed's new
        items that want full text (`feed` None: the feed was not modified), bounded."""
        limit = self.settings.full_text_pages
        if limit <= 0 or job.full_text is False:
            return []
        requests = [self._request(job.source_id, canon, url, language)
                    for canon, url, language in self._pending(job.source_id, limit)]
        room = limit - len(requests)
        wanted = {canonical_url(d.url): d for d in (feed.items if feed else [])
                  if wants_page(d, job.full_text)}
        if not wanted or room <= 0:
            return requests
        candidates = dict(list(wanted.items())[:room * 4])  # most are new; bound the query
        known = self._known(candidates)
        fresh = [(c, d) for c, d in candidates.items() if c not in known and d.url not in known]
        return requests + [self._request(job.source_id, canon, draft.url, draft.language)
                           for canon, draft in fresh[:room]]

    def _pending(self, source_id: int, limit: int) -> list[tuple[str, str, str | None]]:
        """The source's items whose page is still wanted, oldest first, each counted as one
        more attempt: (canonical URL, URL, language to weigh the text's against). Those
        past their attempts or their age are given up, so that the index of pending items
        keeps only those still worth a request."""
        query = (select(Item.id, Item.canonical_url, Item.url, Item.language,
                        Item.page_attempts, Item.fetched_at)
                 .where(Item.source_id == source_id, Item.page_attempts.is_not(None))
                 .order_by(Item.id).limit(limit * 4))  # the oldest, given up first
        with self.store.read() as session:
            rows = session.execute(query).all()
        if not rows:
            return []
        since = utcnow() - RETRY_AGE
        due = [r for r in rows if r.page_attempts < MAX_ATTEMPTS and r.fetched_at >= since]
        due = due[:limit]
        stale = [{"id": r.id, "page_attempts": None, "extraction_error": f"page {r.url}: "
                  f"{GAVE_UP}"[:MAX_ERROR]} for r in rows
                 if r.page_attempts >= MAX_ATTEMPTS or r.fetched_at < since]
        with self.store.transaction() as session:
            if due:
                session.execute(update(Item).where(Item.id.in_([r.id for r in due]))
                                .values(page_attempts=Item.page_attempts + 1))
            if stale:
                session.execute(update(Item), stale)  # by primary key
        logger.info("pending pages source_id=%s retried=%s given_up=%s", source_id, len(due),
                    len(stale))
        return [(r.canonical_url, r.url, None if r.language == UNDETERMINED else r.language)
                for r in due]

    def _known(self, wanted: dict[str, DraftItem]) -> set[str]:
        """Canonical URLs and URLs among `wanted` that the store already holds."""
        urls = [d.url for d in wanted.values()]
        with self.store.read() as session:
            rows = session.execute(select(Item.canonical_url, Item.url).where(
                or_(Item.canonical_url.in_(list(wanted)), Item.url.in_(urls)))).all()
        return {value for row in rows for value in row if value}

    def _request(self, source_id: int, canon: str, url: str,
                 language: str | None) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_page, errback=self.page_failed,
                              headers={"Accept": PAGE_ACCEPT}, priority=PAGE_PRIORITY,
                              meta={"page": Page(source_id, canon, language)})

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
        """The page's result on its item: the text (with the language and SimHash it
        gives), or why there is none. Either way the page is no longer pending."""
        with self.store.transaction() as session:
            item = session.scalar(select(Item).where(Item.canonical_url == page.canonical_url))
            if item is None:
                logger.warning("page for an item not stored source_id=%s url=%s",
                               page.source_id, page.canonical_url)
                return
            item.page_attempts = None
            if error is None and not _adds_text(content, item.content or item.summary):
                error = NOTHING_FOUND
            if error is not None:
                item.extraction_error = f"page {item.url}: {error}"[:MAX_ERROR]
                logger.info("full text failed item_id=%s error=%s", item.id, error)
                return
            item.content, item.extraction_error = content, None
            found = analyse(DraftItem(item.guid or item.url, item.url, item.title,
                                      content=content, language=page.declared_language))
            item.language, item.language_confidence = found.language, found.confidence
            refingerprint(session, item, found.simhash)
            logger.debug("full text stored item_id=%s chars=%s", item.id, len(content))
