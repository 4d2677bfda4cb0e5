"""Full text for summary-only feeds: ask for an item's article page, turn its answer into a
`PageOutcome` for the store pipeline.

Which entries want their page is the source's `full_text` setting (`wants_page`, in
crawler/store/items.py: the store marks such an item pending as it writes it). At most
`settings.full_text_pages` pages per source and crawl: first those still pending from
earlier crawls, oldest first, then the feed's new items. Pending pages are how a crawl
that crashed or was stopped (or the bound) loses none: the next crawl of the source,
whether its feed changed or answered 304, asks for them again — each at most
`MAX_ATTEMPTS` times and for `RETRY_AGE` after its item was stored, so a page that kills
or stalls every crawl does not cost every crawl forever. An answer, text or error, ends
the retries.

The feed spider asks `FullText.requests` for the claim (`PagesClaimed`: the attempts
counted, the pages given up) and the page requests before it yields the feed's outcome,
and yields them in that order: each item is committed with its feed summary first and
the page, fetched through the same guarded and bounded Scrapy download (robots.txt
included), only updates it. parse/article.py extracts the text; store/pages.py writes it
(the language and SimHash computed again from it) or the readable `extraction_error` of
a page that failed. FullText only reads the store.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta

import scrapy
from scrapy.http import Response, TextResponse
from sqlalchemy import or_, select
from twisted.python.failure import Failure

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, utcnow
from rabkor.core.text.canonical import canonical_url
from rabkor.crawler.analyse.language import UNDETERMINED
from rabkor.crawler.draft import DraftItem, PageOutcome, PagesClaimed, ParsedFeed, SourceJob
from rabkor.crawler.fetch.bounds import describe_failure, host_of
from rabkor.crawler.parse.article import ExtractionError, extract
from rabkor.crawler.parse.clean import MAX_ERROR
from rabkor.crawler.parse.pool import ParsePool
from rabkor.crawler.store.items import wants_page

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # retries of a pending page (after the first request)
RETRY_AGE = timedelta(days=2)  # after this an item's page is no longer worth a request
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
PAGE_PRIORITY = -10  # feeds first: a crawl's pages wait until its feeds are in
GAVE_UP = f"given up: no answer after {MAX_ATTEMPTS + 1} tries or within {RETRY_AGE.days} days"


@dataclass(frozen=True)
class Page:
    """What the page's answer needs: which item it fills, and the language the feed declared."""

    source_id: int
    canonical_url: str
    declared_language: str | None

    def outcome(self, *, content: str = "", error: str | None = None) -> PageOutcome:
        return PageOutcome(self.source_id, self.canonical_url, self.declared_language,
                           content=content, error=error)


class FullText:
    """Page requests for one crawl's feeds, and their answers as outcomes."""

    def __init__(self, store: Store, settings: Settings, parser: ParsePool) -> None:
        self.store = store  # read only: the store pipeline writes
        self.settings = settings
        self.parser = parser  # the spider's, which extracts the pages' text

    def requests(self, job: SourceJob, feed: ParsedFeed | None
                 ) -> list[PagesClaimed | scrapy.Request]:
        """The claim on the source's pending pages and their requests, then requests for the
        pages of the feed's new items that want full text (`feed` None: the feed was not
        modified), bounded."""
        limit = self.settings.full_text_pages
        if limit <= 0 or job.full_text is False:
            return []
        claim, pending = self._pending(job.source_id, limit)
        out: list[PagesClaimed | scrapy.Request] = [claim] if claim else []
        out += [self._request(job.source_id, canon, url, language)
                for canon, url, language in pending]
        room = limit - len(pending)
        wanted = {canonical_url(d.url): d for d in (feed.items if feed else [])
                  if wants_page(d, job.full_text)}
        if not wanted or room <= 0:
            return out
        candidates = dict(list(wanted.items())[:room * 4])  # most are new; bound the query
        known = self._known(candidates)
        fresh = [(c, d) for c, d in candidates.items() if c not in known and d.url not in known]
        return out + [self._request(job.source_id, canon, draft.url, draft.language)
                      for canon, draft in fresh[:room]]

    def _pending(self, source_id: int, limit: int
                 ) -> tuple[PagesClaimed | None, list[tuple[str, str, str | None]]]:
        """The claim on the source's items whose page is still wanted, oldest first (each
        one more attempt; those past their attempts or their age given up, so that the
        index of pending items keeps only those still worth a request), and those pages:
        (canonical URL, URL, language to weigh the text's against)."""
        query = (select(Item.id, Item.canonical_url, Item.url, Item.language,
                        Item.page_attempts, Item.fetched_at)
                 .where(Item.source_id == source_id, Item.page_attempts.is_not(None))
                 .order_by(Item.id).limit(limit * 4))  # the oldest, given up first
        with self.store.read() as session:
            rows = session.execute(query).all()
        if not rows:
            return None, []
        since = utcnow() - RETRY_AGE
        due = [r for r in rows if r.page_attempts < MAX_ATTEMPTS and r.fetched_at >= since]
        due = due[:limit]
        stale = tuple((r.id, f"page {r.url}: {GAVE_UP}"[:MAX_ERROR]) for r in rows
                      if r.page_attempts >= MAX_ATTEMPTS or r.fetched_at < since)
        logger.info("pending pages source_id=%s retried=%s given_up=%s", source_id, len(due),
                    len(stale))
        claim = PagesClaimed(source_id, tuple(r.id for r in due), stale)
        return claim, [(r.canonical_url, r.url,
                        None if r.language == UNDETERMINED else r.language) for r in due]

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

    async def parse_page(self, response: Response) -> AsyncIterator[PageOutcome]:
        page: Page = response.meta["page"]
        kind = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or "html" not in kind:
            yield page.outcome(error=f"not an HTML page ({kind.split(';')[0] or 'no type'})")
            return
        try:  # in a parse worker: a page that keeps trafilatura busy, or an extractor
            # bug, costs this page, not the crawl
            content = await self.parser.run(extract, response.text, response.url,
                                            error=ExtractionError, what="the page")
        except ExtractionError as exc:
            logger.info("extraction failed source_id=%s url=%s error=%s", page.source_id,
                        response.url, exc)
            yield page.outcome(error=str(exc))
            return
        yield page.outcome(content=content)

    def page_failed(self, failure: Failure) -> Iterator[PageOutcome]:
        request = failure.request  # type: ignore[attr-defined]
        from twisted.internet import reactor  # only once Scrapy has installed its reactor

        refusal_for = getattr(reactor.nameResolver, "refusal_for", None)
        refused = refusal_for(host_of(request.url)) if refusal_for else None
        yield request.meta["page"].outcome(
            error=describe_failure(failure, self.settings, refused))
