"""JSON Feed 1.0/1.1 decoded into the entry shape feedparser produces.

feedparser 6 reads only XML feeds; decoding JSON Feed into the same dictionaries lets one
adapter (`rabkor.crawler.parse.feed`) turn every format into drafts.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from rabkor.core.errors import FeedParseError

VERSION_PREFIX = "https://jsonfeed.org/version/"
MAX_HUBS = 10  # a feed names a hub or two; a hostile list is not read past this


def looks_like_json(content_type: str, body: bytes) -> bool:
    return "json" in content_type.lower() or body.lstrip()[:1] == b"{"


def decode(body: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The feed's own fields and its entries, feedparser-style; FeedParseError if not JSON Feed."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedParseError(f"not a feed: invalid JSON ({exc})") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(VERSION_PREFIX):
        raise FeedParseError("not a feed: JSON without a JSON Feed version")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedParseError("not a feed: JSON Feed without an items list")
    feed = {"title": _str(data.get("title")), "link": _str(data.get("home_page_url")),
            "language": _str(data.get("language")), "links": _links(data)}
    return feed, [_entry(i) for i in items if isinstance(i, dict)]


def _links(data: dict[str, Any]) -> list[dict[str, str]]:
    """`feed_url` and the WebSub `hubs` as feedparser's rel="self" and rel="hub" links."""
    links = [{"rel": "self", "href": _str(data.get("feed_url"))}]
    hubs = data.get("hubs")
    for hub in hubs[:MAX_HUBS] if isinstance(hubs, list) else []:
        if isinstance(hub, dict) and _str(hub.get("type")).lower() == "websub":
            links.append({"rel": "hub", "href": _str(hub.get("url"))})
    return [link for link in links if link["href"]]


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": _str(item.get("id")),
        "link": _str(item.get("url")) or _str(item.get("external_url")),
        "title": _str(item.get("title")),
        "summary": _str(item.get("summary")),
        "summary_detail": {"type": "text/plain"},
        "author": _author(item),
        "language": _str(item.get("language")),
        "published_parsed": _time(item.get("date_published") or item.get("date_modified")),
        "image": {"href": _str(item.get("image")) or _str(item.get("banner_image"))},
        "enclosures": [],
    }
    if item.get("content_html"):
        entry["content"] = [{"type": "text/html", "value": _str(item["content_html"])}]
    elif item.get("content_text"):
        entry["content"] = [{"type": "text/plain", "value": _str(item["content_text"])}]
    for att in item.get("attachments") or []:
        if isinstance(att, dict):
            entry["enclosures"].append({"href": _str(att.get("url")),
                                        "type": _str(att.get("mime_type")),
                                        "length": _str(att.get("size_in_bytes"))})
            if att.get("duration_in_seconds") and "itunes_duration" not in entry:
                entry["itunes_duration"] = _str(att["duration_in_seconds"])
    return entry


def _author(item: dict[str, Any]) -> str:
    authors = item.get("authors") or [item.get("author")]
    first = authors[0] if isinstance(authors, list) and authors else None
    return _str(first.get("name")) if isinstance(first, dict) else ""


def _time(value: object) -> time.struct_time | None:
    """An RFC 3339 date as a UTC struct_time, as feedparser gives; None when unreadable."""
    try:
        parsed = datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC).timetuple()
    except (ValueError, OverflowError):
        return None


def _str(value: object) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)
