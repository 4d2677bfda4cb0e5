"""What a request was, from its path, status and user agent alone: the same rules for the
site's own requests and for lines of an imported log, so the two count alike."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from crawlerdetect import CrawlerDetect

PAGE, FEED, ASSET, ROBOTS, ERROR, OTHER = "page", "feed", "asset", "robots", "error", "other"
BROWSER, FEED_READER, ROBOT, UNKNOWN = "browser", "feed", "robot", "unknown"
AGENTS = (BROWSER, FEED_READER, ROBOT, UNKNOWN)

ASSET_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".avif", ".bmp",
                  ".css", ".js", ".map", ".woff", ".woff2", ".ttf", ".otf", ".eot",
                  ".mp3", ".mp4", ".ogg", ".webm", ".pdf", ".zip", ".gz", ".tar")
FEED_SUFFIXES = (".atom", ".rss", ".xml", "/feed.json", "/feed", "/rss", "/atom")
# Feed readers and podcast apps say so in their user agent; CrawlerDetect calls many of
# them crawlers, but behind each is a person subscribed to the site.
FEED_READERS = re.compile(
    r"feed|rss|atom|podcast|newsboat|liferea|netnewswire|inoreader|newsblur|miniflux|"
    r"tiny tiny|akregator|reeder|overcast|pocket ?casts|antennapod|gpodder|itunes|"
    r"applecoremedia", re.IGNORECASE)
ITEM = re.compile(r"^/[^/]+/items/(\d{1,9})(?:/story)?$")
LISTINGS = {"topics": "topic", "sources": "source", "kinds": "kind", "originally": "original",
            "archive": "archive", "latest": "latest", "search": "search"}

_detector = CrawlerDetect()


@dataclass(frozen=True, slots=True)
class Where:
    """The path's part of a view: its kind, language department, item and listing."""

    kind: str
    department: str
    item_id: int | None
    listing: str | None


@lru_cache(maxsize=65536)
def classify_path(method: str, path: str, status: int, languages: frozenset[str]) -> Where:
    """Kind first by status (errors apart), then by what the path names; the department
    is the first segment when it is a site language."""
    parts = path.split("/", 3)
    department = parts[1] if len(parts) > 1 and parts[1] in languages else ""
    lowered = path.lower()
    if status >= 400:
        kind = ERROR
    elif method not in ("GET", "HEAD"):
        kind = OTHER
    elif lowered == "/robots.txt":
        kind = ROBOTS
    elif lowered.startswith("/api/"):
        kind = OTHER  # programs reading the JSON API, not readers
    elif lowered.startswith("/static/") or lowered.endswith(ASSET_SUFFIXES):
        kind = ASSET
    elif lowered.endswith(FEED_SUFFIXES) or "/feed." in lowered:
        kind = FEED
    elif 200 <= status < 300 or status == 304:
        kind = PAGE
    else:
        kind = OTHER  # redirects: the page they lead to is counted
    item_id, listing = None, None
    if department and kind == PAGE:
        match = ITEM.match(path)
        if match:
            item_id = int(match.group(1))
        else:
            rest = parts[2] if len(parts) > 2 else ""
            listing = "home" if not rest else LISTINGS.get(rest)
            if listing and listing not in ("latest", "search") and len(parts) > 3:
                listing = f"{listing}:{parts[3][:100]}"
    return Where(kind, department, item_id, listing)


@lru_cache(maxsize=8192)
def classify_agent(user_agent: str) -> str:
    """browser, feed (reader), robot or unknown; no user agent at all is a robot's habit."""
    agent = user_agent.strip()
    if not agent or agent == "-":
        return ROBOT
    if FEED_READERS.search(agent):
        return FEED_READER
    if _detector.isCrawler(agent):
        return ROBOT
    if agent.startswith(("Mozilla/", "Opera/")):
        return BROWSER
    return UNKNOWN


@lru_cache(maxsize=16384)
def referrer_host(referrer: str) -> str | None:
    """The host of an http(s) referrer, lower-cased; nothing else of it is kept."""
    if not referrer or referrer == "-":
        return None
    try:
        parts = urlsplit(referrer)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    return host[:255]
