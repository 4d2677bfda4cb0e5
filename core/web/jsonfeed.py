"""JSON Feed 1.1 documents (https://jsonfeed.org/version/1.1): the listings for programs,
with `next_url` for the cursor's next page and audio and video files as attachments."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rabkor.core.web.atom import Entry

VERSION = "https://jsonfeed.org/version/1.1"


def json_feed(entries: Sequence[Entry], *, title: str, feed_url: str, home_url: str,
              lang: str = "", next_url: str = "", description: str = "") -> bytes:
    document: dict = {"version": VERSION, "title": title, "home_page_url": home_url,
                      "feed_url": feed_url}
    if description:
        document["description"] = description
    if lang:
        document["language"] = lang
    if next_url:
        document["next_url"] = next_url
    document["items"] = [_item(e) for e in entries]
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _item(e: Entry) -> dict:
    item: dict = {"id": e.url, "url": e.url, "title": e.title,
                  "content_text": e.summary.strip() or e.title,
                  "date_published": e.published.isoformat(timespec="seconds"),
                  "date_modified": e.updated.isoformat(timespec="seconds")}
    if e.related:
        item["external_url"] = e.related
    if e.author:
        item["authors"] = [{"name": e.author}]
    if e.language:
        item["language"] = e.language
    if e.enclosure_url:
        attachment: dict = {"url": e.enclosure_url,
                            "mime_type": e.enclosure_type or "application/octet-stream"}
        if e.enclosure_length:
            attachment["size_in_bytes"] = e.enclosure_length
        if e.duration:
            attachment["duration_in_seconds"] = e.duration
        item["attachments"] = [attachment]
    return item
