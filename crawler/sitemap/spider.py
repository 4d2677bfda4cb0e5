"""Sites without feeds: their sitemaps list the articles, the source's URL rules pick them.

The sitemap spider starts from robots.txt (its Sitemap: lines) or, when it names none,
the usual paths in turn (`SITEMAP_PATHS`), follows sitemap indexes, reads news sitemaps
(lastmod, news:title, news:publication_date), keeps the URLs that pass the source's
include/exclude regexes and are not already stored, newest first and at most
`MAX_PAGES` per crawl, and fetches those pages. All of one source's pages become one
FetchOutcome, so the store pipeline and the crawl's report treat a sitemap source
exactly like a feed. Sitemap XML is parsed by lxml with entities and network access off;
a gzipped sitemap (a .xml.gz file, not Content-Encoding, which Scrapy already bounds) is
recognised by its magic bytes, as Scrapy's own SitemapSpider does, and decompressed no
further than the crawl's body bound, so a gzip bomb is an error, not a full memory.

A page keeps its title, description and date (the sitemap's news tags, then <title> and
og: meta) and gets its article text from parse/article.py's `extract`; a page with no
article text keeps its description, and its draft carries the `extraction_error` that
full-text pages get, written with the item by the store pipeline (the spider only reads
the store: which URLs it holds already). `find_sitemap` looks
for a sitemap the same way, through the guarded httpx client, for `sources add`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import struct
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from urllib.parse import urljoin

import httpx
import lxml.etree
import scrapy
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots
from sqlalchemy import select
from twisted.python.failure import Failure

from rabkor.core.errors import FetchError, RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, Source
from rabkor.core.text.html import plain_text, text_to_html
from rabkor.core.text.urls import safe_url
from rabkor.crawler.draft import DraftItem, FetchOutcome, ParsedFeed
from rabkor.crawler.fetch.bounds import describe_failure, human_bytes
from rabkor.crawler.fetch.direct import fetch
from rabkor.crawler.parse.article import NOTHING_FOUND, adds_text, extract
from rabkor.crawler.parse.clean import MAX_ERROR, MAX_SUMMARY
from rabkor.crawler.sources.discover import parse_html

logger = logging.getLogger(__name__)

MAX_PAGES = 50  # article pages fetched per source and crawl
MAX_SITEMAPS = 20  # sitemap files read per source and crawl (indexes included)
MAX_ENTRIES = 50_000  # the sitemap protocol's own bound per file
SITEMAP_MODE = "sitemap"
SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/sitemap.xml.gz")
SITEMAP_KINDS = ("urlset", "sitemapindex")
GZIP_MAGIC = b"\x1f\x8b\x08"
OLDEST = datetime.min.replace(tzinfo=UTC)


class SitemapError(RabkorError):
    """A sitemap body that cannot be read: a broken or oversized gzip file (the site's
    fault, as a bad gateway's)."""

    status = 502


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


def sitemap_body(body: bytes, max_bytes: int) -> bytes:
    """The sitemap's XML: gunzipped, at most `max_bytes` of it, when it is a gzip file."""
    if not body.startswith(GZIP_MAGIC):
        return body
    try:
        return gunzip(body, max_size=max_bytes)
    except ValueError:  # Scrapy's bound, checked after each chunk
        raise SitemapError(f"body larger than {human_bytes(max_bytes)} after "
                           "decompression") from None
    except (OSError, EOFError, struct.error, zlib.error) as exc:
        raise SitemapError(f"not a readable gzip file ({exc})") from None


def robots_sitemaps(body: bytes, url: str) -> list[str]:
    """The sitemap URLs a robots.txt names; none when it is an HTML page (a soft 404)."""
    if b"<" in body[:200]:
        return []
    return [u for u in map(safe_url, sitemap_urls_from_robots(body, url)) if u]


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


def find_sitemap(http: httpx.Client, site_url: str, settings: Settings) -> str | None:
    """The first sitemap the spider would read for `site_url`, or None; guarded fetches."""
    try:
        robots = fetch(http, urljoin(site_url, "/robots.txt"), settings, accept="text/plain")
        named = robots_sitemaps(robots.body, robots.url) if robots.status == 200 else []
    except FetchError:
        named = []
    for url in named[:MAX_SITEMAPS] or [urljoin(site_url, p) for p in SITEMAP_PATHS]:
        try:
            answer = fetch(http, url, settings)
            body = sitemap_body(answer.body, settings.max_feed_bytes)
        except (FetchError, SitemapError) as exc:
            logger.info("no sitemap url=%s error=%s", url, exc)
            continue
        if answer.status == 200 and read_sitemap(body, answer.url)[0] in SITEMAP_KINDS:
            return url
    return None


def read_page(body: bytes, text: str | bytes, entry: Entry, language: str | None
              ) -> DraftItem:
    """A page as a draft; one without article text says why in its `extraction_error`.

    `body` is read for the meta (the sitemap's news title and date come first), `text`
    (as Scrapy decoded it) for the article; a "text" no longer than the description is
    a menu, not an article, as `adds_text` judges it for full-text pages too.
    """
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
    description = plain_text(meta.get("og:description") or meta.get("description"),
                             MAX_SUMMARY)
    try:
        content = extract(text, entry.url)
    except Exception as exc:  # an extractor bug costs one page's text, not the crawl
        logger.exception("extraction failed url=%s", entry.url)
        content, error = "", f"extraction failed: {exc!r}"
    else:
        error = None if adds_text(content, description) else NOTHING_FOUND
    draft = DraftItem(
        guid=entry.url, url=entry.url,
        title=entry.title or plain_text(meta.get("og:title") or title, 500) or entry.url,
        summary=text_to_html(description, MAX_SUMMARY),
        content="" if error else content,
        published_at=entry.published or parse_date(meta.get("article:published_time"))
        or entry.lastmod,
        image_url=safe_url(meta.get("og:image")),
        language=language,
        extraction_error=f"page {entry.url}: {error}"[:MAX_ERROR] if error else None,
    )
    return draft


class SitemapSpider(scrapy.Spider):
    """Crawls sitemap sources; yields one FetchOutcome per source when its last page is in."""

    name = "sitemaps"

    def __init__(self, jobs: list[SiteJob], store: Store, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.jobs = jobs
        self.store = store  # read only: the store pipeline writes

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        return super().from_crawler(crawler, *args, store=crawler.settings["RABKOR_STORE"],
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
            # trafilatura takes tens of milliseconds a page: off the reactor's thread
            draft = await asyncio.to_thread(read_page, response.body, text,
                                            response.meta["entry"], job.language)
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
