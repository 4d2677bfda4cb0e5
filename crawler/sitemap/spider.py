"""Sites without feeds: the sitemap spider crawls their sitemaps, the source's URL rules pick
the articles.

The spider starts from robots.txt (its Sitemap: lines) or, when it names none, the usual
paths in turn (`SITEMAP_PATHS`), follows sitemap indexes, reads news sitemaps (lastmod,
news:title, news:publication_date), keeps the URLs that pass the source's include/exclude
regexes and are not already stored, newest first and at most `MAX_PAGES` per crawl, and
fetches those pages (sitemap/read.py reads sitemaps and pages). All of one source's
pages become one FetchOutcome, so the store pipeline and the crawl's report treat a
sitemap source exactly like a feed. The spider only reads the store.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response, TextResponse
from sqlalchemy import select
from twisted.python.failure import Failure

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, Source
from rabkor.crawler.draft import DraftItem, FetchOutcome, ParsedFeed
from rabkor.crawler.fetch.bounds import describe_failure
from rabkor.crawler.parse.article import ExtractionError
from rabkor.crawler.parse.pool import ParsePool
from rabkor.crawler.sitemap.read import (
    MAX_SITEMAPS,
    SITEMAP_MODE,
    SITEMAP_PATHS,
    Entry,
    SitemapError,
    page_not_read,
    read_page,
    read_sitemap,
    robots_sitemaps,
    sitemap_body,
)

logger = logging.getLogger(__name__)

MAX_PAGES = 50  # article pages fetched per source and crawl
OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass
class SiteJob:
    """One sitemap source's crawl: its rules, and what is still outstanding."""

    source_id: int
    site_url: str
    language: str | None
    include: list[re.Pattern[str]]
    exclude: list[re.Pattern[str]]
    outstanding: int = 0
    sitemaps: int = 0
    pages: int = 0
    drafts: list[DraftItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)  # usual paths tried without a sitemap

    def wanted(self, url: str) -> bool:
        return (not self.include or any(r.search(url) for r in self.include)) and \
            not any(r.search(url) for r in self.exclude)


def sitemap_jobs(store: Store, source_ids: list[int]) -> dict[int, SiteJob]:
    """The sitemap sources among `source_ids`, as jobs for the sitemap spider."""
    with store.read() as session:
        query = select(Source).where(Source.id.in_(source_ids),
                                     Source.fetch_mode == SITEMAP_MODE)
        return {s.id: SiteJob(s.id, s.feed_url, s.language,
                              [re.compile(r) for r in (s.url_rules or {}).get("include", [])],
                              [re.compile(r) for r in (s.url_rules or {}).get("exclude", [])])
                for s in session.scalars(query)}


class SitemapSpider(scrapy.Spider):
    """Crawls sitemap sources; yields one FetchOutcome per source when its last page is in."""

    name = "sitemaps"

    def __init__(self, jobs: list[SiteJob], store: Store, settings: Settings,
                 **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.jobs = jobs
        self.store = store  # read only: the store pipeline writes
        self.parser = ParsePool(len(jobs), seconds=settings.parse_seconds)

    def closed(self, reason: str) -> None:
        self.parser.close()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        return super().from_crawler(crawler, *args, store=crawler.settings["RABKOR_STORE"],
                                    settings=crawler.settings["RABKOR_SETTINGS"],
                                    **kwargs)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for job in self.jobs:
            yield self._request(job, urljoin(job.site_url, "/robots.txt"), self.parse_robots)

    def _request(self, job: SiteJob, url: str, callback, **meta: object) -> scrapy.Request:
        job.outstanding += 1
        return scrapy.Request(url, callback=callback, errback=self.failed, dont_filter=True,
                              meta={"job": job, **meta})

    def _guess(self, job: SiteJob, number: int = 0) -> scrapy.Request:
        """The `number`-th usual sitemap path: robots.txt named none."""
        job.sitemaps += 1
        return self._request(job, urljoin(job.site_url, SITEMAP_PATHS[number]),
                             self.parse_sitemap, guess=number)

    def parse_robots(self, response: Response):
        job: SiteJob = response.meta["job"]
        urls = robots_sitemaps(response.body, response.url)
        for url in urls:
            if job.sitemaps < MAX_SITEMAPS:
                job.sitemaps += 1
                yield self._request(job, url, self.parse_sitemap)
        if not urls:
            yield self._guess(job)
        yield from self._done(job)

    def parse_sitemap(self, response: Response):
        job: SiteJob = response.meta["job"]
        try:
            body = sitemap_body(response.body, self.settings["RABKOR_SETTINGS"].max_feed_bytes)
        except SitemapError as exc:
            yield from self._missed(job, response.url, response.meta, str(exc))
            yield from self._done(job)
            return
        kind, entries = read_sitemap(body, response.url)
        if kind == "sitemapindex":
            for entry in entries:
                if job.sitemaps < MAX_SITEMAPS:
                    job.sitemaps += 1
                    yield self._request(job, entry.url, self.parse_sitemap)
        elif kind == "urlset":
            yield from self._pages(job, entries)
        else:
            yield from self._missed(job, response.url, response.meta, "not a sitemap")
        yield from self._done(job)

    def _missed(self, job: SiteJob, url: str, meta: dict, message: str
                ) -> Iterator[scrapy.Request]:
        """A sitemap that is not one: the next usual path if this was a guess, else an error."""
        guess = meta.get("guess")
        if guess is None:
            job.errors.append(f"{url}: {message}")
            return
        job.missed.append(f"{url}: {message}")
        if guess + 1 < len(SITEMAP_PATHS):
            yield self._guess(job, guess + 1)
        else:
            job.errors.append("no sitemap: robots.txt names none, and " + "; ".join(job.missed))

    def _pages(self, job: SiteJob, entries: list[Entry]):
        wanted = [e for e in entries if job.wanted(e.url)]
        wanted.sort(key=lambda e: e.published or e.lastmod or OLDEST, reverse=True)
        known = self._known([e.url for e in wanted[:MAX_PAGES * 4]])
        for entry in wanted:
            if job.pages >= MAX_PAGES:
                break
            if entry.url not in known:
                job.pages += 1
                yield self._request(job, entry.url, self.parse_page, entry=entry)

    def _known(self, urls: list[str]) -> set[str]:
        """URLs already stored: only new ones are fetched."""
        with self.store.read() as session:
            return set(session.scalars(select(Item.url).where(Item.url.in_(urls))))

    async def parse_page(self, response: Response):
        job: SiteJob = response.meta["job"]
        if response.status == 200 and b"html" in (response.headers.get(b"Content-Type")
                                                  or b"html").lower():
            text = response.text if isinstance(response, TextResponse) else response.body
            entry = response.meta["entry"]
            try:  # in a parse worker: trafilatura takes tens of milliseconds a page, and a
                # page that keeps it busy costs that page's text, not the crawl
                draft = await self.parser.run(read_page, response.body, text, entry,
                                              job.language, error=ExtractionError,
                                              what="the page")
            except ExtractionError as exc:
                draft = page_not_read(entry, job.language, str(exc))
            job.drafts.append(draft)
        for outcome in self._done(job):
            yield outcome

    def failed(self, failure: Failure):
        request = failure.request  # type: ignore[attr-defined]
        job: SiteJob = request.meta["job"]
        if request.callback == self.parse_robots:  # a site may well have no robots.txt
            yield self._guess(job)
            yield from self._done(job)
            return
        message = describe_failure(failure, self.settings["RABKOR_SETTINGS"], None)
        logger.info("sitemap fetch failed source_id=%s url=%s error=%s", job.source_id,
                    request.url, message)
        if request.callback == self.parse_sitemap:
            yield from self._missed(job, request.url, request.meta, message)
        else:
            job.errors.append(f"{request.url}: {message}")
        yield from self._done(job)

    def _done(self, job: SiteJob) -> Iterator[FetchOutcome]:
        """Count one answer; after the source's last one, its outcome."""
        job.outstanding -= 1
        if job.outstanding > 0:
            return
        if not job.drafts and job.errors and job.pages == 0:
            yield FetchOutcome(job.source_id, error="; ".join(job.errors)[:500])
            return
        yield FetchOutcome(job.source_id, feed=ParsedFeed(
            title="", site_url=job.site_url, language=job.language, items=job.drafts))
