"""The feed spider: one conditional GET per due source, each answer turned into a FetchOutcome.

Every request ends in exactly one outcome (a feed, a 304 or an error), so the store
pipeline can account for every source and the crawl's report adds up.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.http import basic_auth_header

from rabkor.core.errors import FeedParseError, FetchError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import utcnow
from rabkor.crawler.draft import FetchOutcome, PagesClaimed, SourceJob
from rabkor.crawler.fetch.bounds import describe_failure, host_of
from rabkor.crawler.fetch.guard import check_url
from rabkor.crawler.fetch.pages import FullText
from rabkor.crawler.parse.pool import ParsePool
from rabkor.crawler.sources.schedule import max_age_seconds, retry_after_seconds

logger = logging.getLogger(__name__)


class FeedSpider(scrapy.Spider):
    name = "feeds"

    def __init__(self, jobs: list[SourceJob], store: Store, settings: Settings,
                 **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.jobs = jobs
        self.parser = ParsePool(len(jobs), seconds=settings.parse_seconds)
        # article pages of summary-only items (fetch/pages.py), their text extracted in the
        # feeds' workers
        self.full_text = FullText(store, settings, self.parser)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        return super().from_crawler(crawler, *args, store=crawler.settings["RABKOR_STORE"],
                                    settings=crawler.settings["RABKOR_SETTINGS"], **kwargs)

    def closed(self, reason: str) -> None:
        self.parser.close()

    async def start(self) -> AsyncIterator[scrapy.Request | FetchOutcome]:
        for job in self.jobs:
            try:
                url = check_url(job.feed_url)  # normalised: Scrapy reads it as it was checked
            except FetchError as exc:
                yield FetchOutcome(job.source_id, error=str(exc))
                continue
            yield scrapy.Request(
                url,
                headers=_conditional_headers(job),
                meta={"job": job, "handle_httpstatus_list": [304]},
                callback=self.parse_feed,
                errback=self.fetch_failed,
                dont_filter=True,
            )

    async def parse_feed(self, response: Response
                         ) -> AsyncIterator[FetchOutcome | PagesClaimed | scrapy.Request]:
        job: SourceJob = response.meta["job"]
        etag = _header(response, b"ETag", 500)
        last_modified = _header(response, b"Last-Modified", 100)
        not_before = max_age_seconds(_header(response, b"Cache-Control", 500))
        if response.status == 304:
            yield FetchOutcome(job.source_id, not_modified=True, etag=etag or job.etag,
                               last_modified=last_modified or job.last_modified,
                               not_before=not_before)
            for page in self.full_text.requests(job, None):  # pages still pending
                yield page
            return
        try:
            feed = await self.parser.parse(
                response.body, url=response.url,
                content_type=_header(response, b"Content-Type", 200) or "",
                source_language=job.language)
        except FeedParseError as exc:
            yield FetchOutcome(job.source_id, error=str(exc))
            return
        except Exception as exc:  # a parser bug must cost one source, not the crawl
            logger.exception("feed parser failed source_id=%s url=%s", job.source_id,
                             response.url)
            yield FetchOutcome(job.source_id, error=f"could not read the feed: {exc!r}"[:500])
            return
        # full text (crawler/fetch/pages.py): pages still pending, and those of the new items,
        # asked for before the outcome stores them and fetched after it, so each item is
        # stored with its summary first
        pages = self.full_text.requests(job, feed)
        yield FetchOutcome(job.source_id, feed=feed, etag=etag, last_modified=last_modified,
                           not_before=not_before)
        for page in pages:
            yield page

    def fetch_failed(self, failure: Failure) -> Iterator[FetchOutcome]:
        request = failure.request  # type: ignore[attr-defined]
        job: SourceJob = request.meta["job"]
        from twisted.internet import reactor  # only once Scrapy has installed its reactor

        refusal_for = getattr(reactor.nameResolver, "refusal_for", None)
        refused = refusal_for(host_of(request.url)) if refusal_for else None
        message = describe_failure(failure, self.settings["RABKOR_SETTINGS"], refused)
        logger.info("fetch failed source_id=%s url=%s error=%s", job.source_id, request.url,
                    message)
        yield FetchOutcome(job.source_id, error=message, not_before=_retry_after(failure))


def _conditional_headers(job: SourceJob) -> dict[str, str]:
    """If-None-Match / If-Modified-Since, and basic auth for a feed behind it (Scrapy drops
    the Authorization header when a redirect leaves the feed's host)."""
    headers = {}
    if job.credentials:
        headers["Authorization"] = basic_auth_header(*job.credentials).decode("latin-1")
    if job.etag:
        headers["If-None-Match"] = job.etag
    if job.last_modified:
        headers["If-Modified-Since"] = job.last_modified
    return headers


def _retry_after(failure: Failure) -> int | None:
    """Retry-After of a 429 or 503 answer, in seconds."""
    exc = failure.value
    if not isinstance(exc, HttpError) or exc.response.status not in (429, 503):
        return None
    return retry_after_seconds(_header(exc.response, b"Retry-After", 100), utcnow())


def _header(response: Response, name: bytes, limit: int) -> str | None:
    """A response header as text, cut to fit its column; None when absent."""
    value = response.headers.get(name)
    return value.decode("latin-1")[:limit] if value else None
