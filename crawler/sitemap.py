"""Sites without feeds: their sitemaps list the articles, the source's URL rules pick them.

The sitemap spider starts from robots.txt (its Sitemap: lines) or /sitemap.xml, follows
sitemap indexes, reads news sitemaps (lastmod, news:title, news:publication_date), keeps
the URLs that pass the source's include/exclude regexes and are not already stored,
newest first and at most `MAX_PAGES` per crawl, and fetches those pages. All of one
source's pages become one FetchOutcome, so the store pipeline and the crawl's report
treat a sitemap source exactly like a feed. Sitemap XML is parsed by lxml with entities
and network access off.

Pages are read minimally here (title, description, date from <title>/og: meta and the
sitemap's news tags); full-text extraction is crawler/fulltext.py's job once it exists.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from urllib.parse import urljoin

import lxml.etree
import scrapy
from scrapy.http import Response
from scrapy.utils.sitemap import sitemap_urls_from_robots
from sqlalchemy import select
from twisted.python.failure import Failure

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, Source
from rabkor.crawler.clean import MAX_SUMMARY, plain_text, safe_url, text_to_html
from rabkor.crawler.discover import parse_html
from rabkor.crawler.draft import DraftItem, FetchOutcome, ParsedFeed
from rabkor.crawler.fetch import describe_failure

logger = logging.getLogger(__name__)

MAX_PAGES = 50  # article pages fetched per source and crawl
MAX_SITEMAPS = 20  # sitemap files read per source and crawl (indexes included)
MAX_ENTRIES = 50_000  # the sitemap protocol's own bound per file
SITEMAP_MODE = "sitemap"
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

    def wanted(self, url: str) -> bool:
        return (not self.include or any(r.search(url) for r in self.include)) and \
            not any(r.search(url) for r in self.exclude)


@dataclass(frozen=True)
class Entry:
    """A <url> of a sitemap, with what news sitemaps say about it."""

    url: str
    lastmod: datetime | None = None
    title: str = ""
    published: datetime | None = None


def parse_date(value: str | None) -> datetime | None:
    """A W3C datetime (sitemaps, news sitemaps, article:published_time) in UTC, or None."""
    try:
        when = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def sitemap_jobs(store: Store, source_ids: list[int]) -> dict[int, SiteJob]:
    """The sitemap sources among `source_ids`, as jobs for the sitemap spider."""
    with store.read() as session:
        query = select(Source).where(Source.id.in_(source_ids),
                                     Source.fetch_mode == SITEMAP_MODE)
        return {s.id: SiteJob(s.id, s.feed_url, s.language,
                              [re.compile(r) for r in (s.url_rules or {}).get("include", [])],
                              [re.compile(r) for r in (s.url_rules or {}).get("exclude", [])])
                for s in session.scalars(query)}


def read_sitemap(body: bytes, base_url: str) -> tuple[str, list[Entry]]:
    """("sitemapindex" or "urlset", its entries); an unreadable file has none."""
    kind, entries = "", []
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                                  recover=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml.etree.parse(BytesIO(body), parser).getroot()
    except lxml.etree.XMLSyntaxError:
        return kind, entries
    if root is None:
        return kind, entries
    kind = lxml.etree.QName(root).localname
    for element in root:
        if not isinstance(element.tag, str) or len(entries) >= MAX_ENTRIES:
            continue
        fields = {lxml.etree.QName(e).localname: (e.text or "").strip()
                  for e in element.iter() if isinstance(e.tag, str)}
        url = safe_url(urljoin(base_url, fields.get("loc", "")))
        if url:
            entries.append(Entry(url, parse_date(fields.get("lastmod")),
                                 plain_text(fields.get("title"), 500),
                                 parse_date(fields.get("publication_date"))))
    return kind, entries


def read_page(body: bytes, entry: Entry, language: str | None) -> DraftItem:
    """A page as a draft: the sitemap's news title and date first, then the page's meta."""
    meta: dict[str, str] = {}
    title = ""
    root = parse_html(body)
    if root is not None:
        for tag in root.iter("meta"):
            key = (tag.get("property") or tag.get("name") or "").lower()
            meta.setdefault(key, tag.get("content") or "")
        found = root.find(".//title")
        title = found.text_content() if found is not None else ""
        language = language or (root.get("lang") or "").split("-")[0].lower() or None
    description = meta.get("og:description") or meta.get("description") or ""
    return DraftItem(
        guid=entry.url, url=entry.url,
        title=entry.title or plain_text(meta.get("og:title") or title, 500) or entry.url,
        summary=text_to_html(plain_text(description, MAX_SUMMARY), MAX_SUMMARY),
        published_at=entry.published or parse_date(meta.get("article:published_time"))
        or entry.lastmod,
        image_url=safe_url(meta.get("og:image")),
        language=language,
    )


class SitemapSpider(scrapy.Spider):
    """Crawls sitemap sources; yields one FetchOutcome per source when its last page is in."""

    name = "sitemaps"

    def __init__(self, jobs: list[SiteJob], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.jobs = jobs

    async def start(self) -> Iterator[scrapy.Request]:
        for job in self.jobs:
            yield self._request(job, urljoin(job.site_url, "/robots.txt"), self.parse_robots)

    def _request(self, job: SiteJob, url: str, callback, **meta: object) -> scrapy.Request:
        job.outstanding += 1
        return scrapy.Request(url, callback=callback, errback=self.failed, dont_filter=True,
                              meta={"job": job, **meta})

    def parse_robots(self, response: Response):
        job: SiteJob = response.meta["job"]
        text = response.body.decode("utf-8", "replace")
        urls = [u for u in map(safe_url, sitemap_urls_from_robots(text, response.url)) if u] \
            if b"<" not in response.body[:200] else []
        for url in urls or [urljoin(job.site_url, "/sitemap.xml")]:
            if job.sitemaps < MAX_SITEMAPS:
                job.sitemaps += 1
                yield self._request(job, url, self.parse_sitemap)
        yield from self._done(job)

    def parse_sitemap(self, response: Response):
        job: SiteJob = response.meta["job"]
        kind, entries = read_sitemap(response.body, response.url)
        if kind == "sitemapindex":
            for entry in entries:
                if job.sitemaps < MAX_SITEMAPS:
                    job.sitemaps += 1
                    yield self._request(job, entry.url, self.parse_sitemap)
        elif kind == "urlset":
            yield from self._pages(job, entries)
        else:
            job.errors.append(f"{response.url} is not a sitemap")
        yield from self._done(job)

    def _pages(self, job: SiteJob, entries: list[Entry]):
        wanted = [e for e in entries if job.wanted(e.url)]
        wanted.sort(key=lambda e: e.published or e.lastmod or OLDEST, reverse=True)
        known = self._known(job, [e.url for e in wanted[:MAX_PAGES * 4]])
        for entry in wanted:
            if job.pages >= MAX_PAGES:
                break
            if entry.url not in known:
                job.pages += 1
                yield self._request(job, entry.url, self.parse_page, entry=entry)

    def _known(self, job: SiteJob, urls: list[str]) -> set[str]:
        """URLs already stored: only new ones are fetched."""
        store = Store(self.settings["RABKOR_SETTINGS"])
        try:
            with store.read() as session:
                return set(session.scalars(select(Item.url).where(Item.url.in_(urls))))
        finally:
            store.close()

    def parse_page(self, response: Response):
        job: SiteJob = response.meta["job"]
        if response.status == 200 and b"html" in (response.headers.get(b"Content-Type")
                                                  or b"html").lower():
            job.drafts.append(read_page(response.body, response.meta["entry"], job.language))
        yield from self._done(job)

    def failed(self, failure: Failure):
        request = failure.request  # type: ignore[attr-defined]
        job: SiteJob = request.meta["job"]
        settings: Settings = self.settings["RABKOR_SETTINGS"]
        message = describe_failure(failure, settings, None)
        if request.callback != self.parse_robots:  # a site may well have no robots.txt
            logger.info("sitemap fetch failed source_id=%s url=%s error=%s", job.source_id,
                        request.url, message)
            job.errors.append(f"{request.url}: {message}")
        if request.callback == self.parse_robots:
            job.sitemaps += 1
            yield self._request(job, urljoin(job.site_url, "/sitemap.xml"), self.parse_sitemap)
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
