"""A submitted link's answer read as what it is: a draft item (article, video, audio, PDF)
with its title, text, author, date, language and image, the feeds it offers, or why
nothing can be made of it.

A web page is read twice over: trafilatura for the article text and the metadata (its
JSON-LD, OpenGraph and meta tags), the page's own OpenGraph tags for what trafilatura
leaves out (a video or audio it plays, the language on <html>). A page that names feeds
and is a site's front (its address is the site's root, it calls itself a website, or
its text is a menu's length) is a site's page: the editors are offered its feeds as a
source, and no item is made; an article that names feeds is both. A PDF is read for its
text and metadata, and the item links to it. Pages and PDFs are read in the crawler's
parse worker (crawler/parse/pool.py), within its time and memory: a hostile page (a
million elements keep trafilatura busy for minutes, and lxml's trees of them take
gigabytes) costs its own link an error, not the submissions step. Audio and video files
are not downloaded: their headers say what they are, and the item links to them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from rabkor.core.errors import FeedParseError
from rabkor.core.store.kinds import LinkKind, MediaKind
from rabkor.core.text.html import plain_text, text_to_html
from rabkor.core.text.urls import safe_url
from rabkor.crawler.draft import DraftItem
from rabkor.crawler.fetch.direct import Fetched
from rabkor.crawler.parse.article import NOTHING_FOUND, adds_text, extract, page_metadata
from rabkor.crawler.parse.clean import MAX_SUMMARY, MAX_TITLE, short_text
from rabkor.crawler.parse.feed import parse_feed
from rabkor.crawler.parse.pdf import PdfError, read_pdf
from rabkor.crawler.parse.pool import ParsePool
from rabkor.crawler.sitemap.read import parse_date
from rabkor.crawler.sources.discover import feeds_in_page, parse_html
from rabkor.crawler.submissions.recognise import is_page, is_video_address, kind_by_type

logger = logging.getLogger(__name__)

MENU_TEXT = 300  # a page that names feeds with less text than this is a site's front
MIN_TEXT = 80  # an article says more than a menu's few words


class PageError(Exception):
    """Why a page could not be read within the parse worker's bounds, in words."""


@dataclass(frozen=True)
class Reading:
    """What the answer is: its kind, the item to make (None: none), the feeds it offers,
    or the readable reason nothing could be made of it."""

    kind: LinkKind | None
    draft: DraftItem | None = None
    feeds: list[str] = field(default_factory=list)
    error: str | None = None


def read_answer(fetched: Fetched, language: str | None, readers: ParsePool) -> Reading:
    """The answer to a submitted link read; `language` is the one the correspondent gave."""
    kind = kind_by_type(fetched.content_type)
    if kind is LinkKind.PDF:
        return _pdf(fetched, language, readers)
    if kind in (LinkKind.AUDIO, LinkKind.VIDEO):
        return Reading(kind, _file_draft(fetched, kind, language))
    if kind is LinkKind.FEED:
        return _feed(fetched)
    if not is_page(fetched.content_type):
        shown = fetched.content_type.split(";")[0].strip() or "no content type"
        return Reading(None, error=f"not a web page, a feed or a media file ({shown})")
    try:
        return readers.read(read_page, fetched.url, fetched.body, language,
                            error=PageError, what="the page")
    except PageError as exc:
        return Reading(None, error=str(exc))


def _pdf(fetched: Fetched, language: str | None, readers: ParsePool) -> Reading:
    """A PDF as an item with its text, linking to the file."""
    try:
        found = readers.read(read_pdf, fetched.body, error=PdfError, what="the PDF")
    except PdfError as exc:
        return Reading(LinkKind.PDF, error=str(exc))
    draft = _file_draft(fetched, LinkKind.PDF, language or found.language)
    return Reading(LinkKind.PDF, replace(
        draft, title=found.title or draft.title, content=found.content,
        author=found.author, published_at=found.published_at,
        enclosure_length=len(fetched.body)))


def _feed(fetched: Fetched) -> Reading:
    try:
        parse_feed(fetched.body, url=fetched.url, content_type=fetched.content_type)
    except FeedParseError as exc:
        return Reading(None, error=str(exc))
    return Reading(LinkKind.FEED, feeds=[fetched.url])


def read_page(url: str, body: bytes, language: str | None) -> Reading:
    """A web page read (in the parse worker: `read_answer`)."""
    root = parse_html(body)
    og: dict[str, str] = {}
    if root is not None:
        for tag in root.iter("meta"):
            key = (tag.get("property") or tag.get("name") or "").lower()
            og.setdefault(key, tag.get("content") or "")
        language = language or (root.get("lang") or "").split("-")[0].lower() or None
    feeds = [found.url for found in feeds_in_page(body, url)]
    meta = page_metadata(body, url)
    description = plain_text(meta.description or og.get("og:description")
                             or og.get("description"), MAX_SUMMARY)
    try:
        content = extract(body, url)
    except MemoryError:
        raise  # the worker's bound, said as such (crawler/parse/worker.py)
    except Exception as exc:  # an extractor bug costs this link, not the cycle
        logger.exception("extraction failed url=%s", url)
        return Reading(None, feeds=feeds, error=f"extraction failed: {exc!r}"[:500])
    kind = _page_kind(url, og)
    if kind is LinkKind.ARTICLE and feeds and _front_page(url, og, content):
        return Reading(LinkKind.SITE, feeds=feeds)
    if kind is LinkKind.ARTICLE and (not adds_text(content, description)
                                     or len(plain_text(content, MIN_TEXT)) < MIN_TEXT):
        return Reading(None, error=NOTHING_FOUND)
    title = plain_text(meta.title or og.get("og:title"), MAX_TITLE)
    if not title and root is not None and root.find(".//title") is not None:
        title = plain_text(root.find(".//title").text_content(), MAX_TITLE)
    media = {LinkKind.VIDEO: MediaKind.VIDEO, LinkKind.AUDIO: MediaKind.AUDIO}
    enclosure = safe_url(og.get("og:audio") or og.get("og:audio:url")) \
        if kind is LinkKind.AUDIO else None
    draft = DraftItem(
        guid=url, url=url, title=title or url,
        summary=text_to_html(description, MAX_SUMMARY),
        content=content if adds_text(content, description) else "",
        author=short_text(meta.author), published_at=_date(meta.date, og),
        media_kind=media.get(kind, MediaKind.ARTICLE),
        enclosure_url=enclosure,
        enclosure_type=short_text(og.get("og:audio:type")) if enclosure else None,
        image_url=safe_url(meta.image or og.get("og:image")), language=language)
    return Reading(kind, draft, feeds)


def _page_kind(url: str, og: dict[str, str]) -> LinkKind:
    """A page that plays a video or a sound is that video or sound; else an article."""
    if is_video_address(url) or og.get("og:type", "").startswith("video"):
        return LinkKind.VIDEO
    if og.get("og:audio") or og.get("og:audio:url") or og.get("og:type", "") in (
            "music.song", "podcast.episode"):
        return LinkKind.AUDIO
    return LinkKind.ARTICLE


def _front_page(url: str, og: dict[str, str], content: str) -> bool:
    return (urlsplit(url).path in ("", "/") or og.get("og:type") == "website"
            or len(plain_text(content, MENU_TEXT)) < MENU_TEXT)


def _date(found: str, og: dict[str, str]) -> datetime | None:
    when = parse_date(og.get("article:published_time")) or parse_date(found)
    return when if when is None or when.tzinfo else when.replace(tzinfo=UTC)


def _file_draft(fetched: Fetched, kind: LinkKind, language: str | None) -> DraftItem:
    """An audio or video file or a PDF as an item that links to it, named by its file."""
    name = unquote(PurePosixPath(urlsplit(fetched.url).path).name) or fetched.url
    length = fetched.headers.get("content-length", "")
    media = {LinkKind.AUDIO: MediaKind.AUDIO, LinkKind.VIDEO: MediaKind.VIDEO}
    return DraftItem(
        guid=fetched.url, url=fetched.url, title=plain_text(name, MAX_TITLE),
        media_kind=media.get(kind, MediaKind.ARTICLE), enclosure_url=fetched.url,
        enclosure_type=short_text(fetched.content_type.split(";")[0]),
        enclosure_length=int(length) if length.isdigit() and len(length) < 16 else None,
        language=language)
