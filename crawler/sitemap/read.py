"""Reading sitemaps and their pages, for the sitemap spider and for `sources add`.

Sitemap XML is parsed by lxml with entities and network access off; a gzipped sitemap (a
.xml.gz file, not Content-Encoding, which the fetchers already bound) is recognised by its
magic bytes and decompressed no further than the crawl's body bound, so a gzip bomb is
an error, not a full memory. A page keeps its title, description and date (the
sitemap's news tags, then <title> and og: meta) and gets its article text from
parse/article.py's `extract`; a page with no article text keeps its description, and its
draft carries the `extraction_error` that full-text pages get. `find_sitemap` looks for
a sitemap the way the spider does, through the guarded httpx client. No Scrapy here:
`sources add` runs it in the command line.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import httpx
import lxml.etree

from rabkor.core.errors import FetchError, RabkorError
from rabkor.core.settings import Settings
from rabkor.core.text.html import plain_text, text_to_html
from rabkor.core.text.urls import safe_url
from rabkor.crawler.draft import DraftItem
from rabkor.crawler.fetch.direct import fetch
from rabkor.crawler.fetch.limits import human_bytes
from rabkor.crawler.parse.article import NOTHING_FOUND, adds_text, extract
from rabkor.crawler.parse.clean import MAX_ERROR, MAX_SUMMARY
from rabkor.crawler.sources.discover import parse_html

logger = logging.getLogger(__name__)

MAX_SITEMAPS = 20  # sitemap files read per source and crawl (indexes included)
MAX_ENTRIES = 50_000  # the sitemap protocol's own bound per file
SITEMAP_MODE = "sitemap"
SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/sitemap.xml.gz")
SITEMAP_KINDS = ("urlset", "sitemapindex")
GZIP_MAGIC = b"\x1f\x8b\x08"
_CHUNK = 64 * 1024


class SitemapError(RabkorError):
    """A sitemap body that cannot be read: a broken or oversized gzip file (the site's
    fault, as a bad gateway's)."""

    status = 502


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


def sitemap_body(body: bytes, max_bytes: int) -> bytes:
    """The sitemap's XML: gunzipped, at most `max_bytes` of it, when it is a gzip file."""
    if not body.startswith(GZIP_MAGIC):
        return body
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out, size, rest = [], 0, body
    try:
        while rest and not inflate.eof:
            chunk = inflate.decompress(rest, _CHUNK)  # never more than a chunk at once
            rest = inflate.unconsumed_tail
            size += len(chunk)
            if size > max_bytes:
                raise SitemapError(f"body larger than {human_bytes(max_bytes)} after "
                                   "decompression")
            out.append(chunk)
            if not chunk and not rest:
                break
    except zlib.error as exc:
        raise SitemapError(f"not a readable gzip file ({exc})") from None
    if not inflate.eof and not out:
        raise SitemapError("not a readable gzip file (it ends too soon)")
    return b"".join(out)


def robots_sitemaps(body: bytes, url: str) -> list[str]:
    """The sitemap URLs a robots.txt names (its `Sitemap:` lines, read by the standard
    library's robots.txt parser); none when it is an HTML page (a soft 404)."""
    if b"<" in body[:200]:
        return []
    robots = RobotFileParser()
    robots.parse(body.decode("utf-8", "replace").splitlines())
    return [u for u in (safe_url(urljoin(url, n)) for n in robots.site_maps() or ()) if u]


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


def page_not_read(entry: Entry, language: str | None, error: str) -> DraftItem:
    """A page whose reading went past the parse worker's bounds: what the sitemap said of
    it, and why it has no text."""
    return DraftItem(guid=entry.url, url=entry.url, title=entry.title or entry.url,
                     published_at=entry.published or entry.lastmod, language=language,
                     extraction_error=f"page {entry.url}: {error}"[:MAX_ERROR])
