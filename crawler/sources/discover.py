"""Feed autodiscovery: from a site's page (or a YouTube channel or playlist) to its feeds.

`sources add https://site/` should work with the address people actually have. The page
is fetched through the address guard, bounded, and parsed as hostile HTML by lxml (no
network, no entities); feeds come from its <link rel="alternate"> tags, then from the
usual paths when it has none. A YouTube channel or playlist becomes its Atom feed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import lxml.etree
import lxml.html

from rabkor.core.errors import FeedParseError, FetchError, RabkorError
from rabkor.core.settings import Settings
from rabkor.core.text.html import plain_text
from rabkor.core.text.urls import safe_url
from rabkor.crawler.fetch.direct import fetch, require_ok
from rabkor.crawler.fetch.limits import FEED_ACCEPT
from rabkor.crawler.parse.feed import parse_feed

logger = logging.getLogger(__name__)

MAX_PAGE_BYTES = 2 * 1024 * 1024
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/json", "application/rdf+xml")
COMMON_PATHS = ("/feed", "/rss.xml", "/atom.xml", "/index.xml", "/feed.xml", "/rss")
YOUTUBE_HOSTS = ("youtube.com", "www.youtube.com", "m.youtube.com")
YOUTUBE_FEED = "https://www.youtube.com/feeds/videos.xml?"
_channel_id = re.compile(r"^UC[\w-]{22}$")
_playlist_id = re.compile(r"^[\w-]{10,64}$")
_channel_in_page = re.compile(rb'"(?:channelId|externalId)"\s*:\s*"(UC[\w-]{22})"')
_secondary = re.compile(r"comment", re.IGNORECASE)


class NoFeedFound(RabkorError):
    """The page was fetched and read, and it leads to no feed: give a feed's address, or
    add the site in sitemap mode."""

    status = 422


@dataclass(frozen=True)
class FeedCandidate:
    """A feed found for a site; `video` when it is a YouTube channel or playlist feed."""

    url: str
    title: str = ""
    video: bool = False


def discover(http: httpx.Client, url: str, settings: Settings,
             credentials: tuple[str, str] | None = None) -> list[FeedCandidate]:
    """The feeds behind `url`, best first; `credentials`: HTTP basic auth for `url` itself
    (a feed behind it).

    FetchError when the page cannot be fetched; NoFeedFound when it leads to no feed.
    """
    direct = youtube_feed(url)
    if direct:
        return [FeedCandidate(direct, video=True)]
    page = require_ok(fetch(http, url, settings, accept=FEED_ACCEPT,
                            max_bytes=min(MAX_PAGE_BYTES, settings.max_feed_bytes),
                            credentials=credentials))
    title = _feed_title(page.body, page.url, page.content_type)
    if title is not None:
        return [FeedCandidate(url, title)]
    found = feeds_in_page(page.body, page.url)
    if not found:
        found = _common_paths(http, page.url, settings)
    if not found:
        raise NoFeedFound(f"{url} is a web page that names no feed, and none of "
                         f"{', '.join(COMMON_PATHS)} is one")
    logger.info("feeds discovered url=%s feeds=%s", url, len(found))
    return found


def youtube_feed(url: str) -> str | None:
    """The feed URL of a YouTube channel (/channel/ID) or playlist (?list=ID) URL."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in YOUTUBE_HOSTS:
        return None
    query = parse_qs(parts.query)
    playlist = (query.get("list") or query.get("playlist_id") or [""])[0]
    if _playlist_id.match(playlist):
        return YOUTUBE_FEED + "playlist_id=" + playlist
    channel = (query.get("channel_id") or [""])[0]
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 2 and segments[0] == "channel":
        channel = segments[1]
    if _channel_id.match(channel):
        return YOUTUBE_FEED + "channel_id=" + channel
    return None


def feeds_in_page(body: bytes, base_url: str) -> list[FeedCandidate]:
    """Feeds an HTML page links to, best first: the page's order, comment feeds last."""
    root = parse_html(body)
    if root is None:
        return []
    base = _base_url(root, base_url)
    found: dict[str, FeedCandidate] = {}
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = safe_url(urljoin(base, (link.get("href") or "").strip()))
        if "alternate" in rels and kind in FEED_TYPES and href and href not in found:
            title = plain_text(link.get("title"), 500)
            found[href] = FeedCandidate(href, title, video=youtube_feed(href) is not None)
    channel = _youtube_channel(root, body)
    if channel and channel not in found:
        found[channel] = FeedCandidate(channel, video=True)
    return sorted(found.values(), key=lambda c: bool(_secondary.search(c.url + c.title)))


def parse_html(body: bytes) -> lxml.html.HtmlElement | None:
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                                  huge_tree=False)
    try:
        return lxml.html.document_fromstring(body, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None


def _base_url(root: lxml.html.HtmlElement, page_url: str) -> str:
    base = root.find(".//base[@href]")
    return safe_url(urljoin(page_url, base.get("href", ""))) if base is not None \
        else page_url


def _youtube_channel(root: lxml.html.HtmlElement, body: bytes) -> str | None:
    """A YouTube /@handle or /user/ page's channel feed, from the id its HTML carries."""
    meta = root.find(".//meta[@itemprop='channelId']")
    channel = meta.get("content", "") if meta is not None else ""
    if not _channel_id.match(channel):
        match = _channel_in_page.search(body)
        channel = match.group(1).decode() if match else ""
    return YOUTUBE_FEED + "channel_id=" + channel if channel else None


def _feed_title(body: bytes, url: str, content_type: str) -> str | None:
    """The feed's title when the body is a feed itself, else None."""
    try:
        return parse_feed(body, url=url, content_type=content_type).title
    except FeedParseError:
        return None


def _common_paths(http: httpx.Client, page_url: str, settings: Settings
                  ) -> list[FeedCandidate]:
    """The first of the usual feed paths on the page's host that answers with a feed."""
    for path in COMMON_PATHS:
        url = urljoin(page_url, path)
        try:
            answer = fetch(http, url, settings, accept=FEED_ACCEPT)
        except FetchError:
            continue
        if answer.status == 200:
            title = _feed_title(answer.body, answer.url, answer.content_type)
            if title is not None:
                return [FeedCandidate(url, title)]
    return []
