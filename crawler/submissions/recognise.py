"""What a submitted link really is, from its address and its answer's content type: a
video (YouTube, PeerTube), an audio file, a PDF, a feed, or a web page (an article, or a
site's page that only offers feeds, decided once it is read: read.py)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from rabkor.core.store.kinds import LinkKind

YOUTUBE_HOSTS = ("youtube.com", "www.youtube.com", "m.youtube.com")
_youtube_id = re.compile(r"^[\w-]{11}$")
# PeerTube's watch addresses: /w/<short id> (v3+) and /videos/watch/<uuid>
_peertube_path = re.compile(r"^/(?:w/[\w-]{8,40}|videos/watch/[0-9a-f-]{36})/?$",
                            re.IGNORECASE)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/rdf+xml", "application/xml", "text/xml", "application/json")
PAGE_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPE = "application/pdf"
READ_TYPES = (*PAGE_TYPES, *FEED_TYPES, PDF_TYPE)  # bodies worth reading; the rest is headers


def youtube_video(url: str) -> str | None:
    """The video id of a YouTube watch, short, live or youtu.be address."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    found = ""
    if host == "youtu.be":
        found = parts.path.strip("/")
    elif host in YOUTUBE_HOSTS:
        if parts.path == "/watch":
            found = (parse_qs(parts.query).get("v") or [""])[0]
        elif parts.path.startswith(("/shorts/", "/live/", "/embed/")):
            found = parts.path.split("/")[2]
    return found if _youtube_id.match(found) else None


def is_video_address(url: str) -> bool:
    """A YouTube video, or a PeerTube watch page (any instance: PeerTube is federated, so
    its address shape is what tells)."""
    return youtube_video(url) is not None or bool(_peertube_path.match(urlsplit(url).path))


def kind_by_type(content_type: str) -> LinkKind | None:
    """The kind the content type alone settles: audio, video files, PDFs, feeds; None for
    a web page (read.py decides) or a type no item is made of."""
    kind = content_type.split(";")[0].strip().lower()
    if kind.startswith("audio/") or kind in ("application/ogg", "application/x-mpegurl"):
        return LinkKind.AUDIO
    if kind.startswith("video/"):
        return LinkKind.VIDEO
    if kind == PDF_TYPE:
        return LinkKind.PDF
    if kind in FEED_TYPES:
        return LinkKind.FEED
    return None


def is_page(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in PAGE_TYPES
