"""Feed bytes → `ParsedFeed` of cleaned `DraftItem`s.

feedparser gets the BYTES the crawler fetched (wrapped in a stream) and the response's
Content-Type for the charset, never a URL or a bare string: given either, it opens URLs
and files itself, `file://` included, past the address guard. JSON Feed is decoded by
`rabkor.crawler.parse.jsonfeed` into the same entry shape, so one adapter serves both.
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from rabkor.core.errors import FeedParseError
from rabkor.core.store.kinds import MediaKind, utcnow
from rabkor.core.text.html import clean_html, plain_text, text_to_html
from rabkor.core.text.urls import MAX_URL, safe_url
from rabkor.crawler.draft import DraftItem, ParsedFeed
from rabkor.crawler.parse import dates, encoding, jsonfeed
from rabkor.crawler.parse.clean import MAX_CONTENT, MAX_SUMMARY, MAX_TITLE, short_text
from rabkor.crawler.parse.defused import UnterminatedDoctype, defused
from rabkor.crawler.sources.schedule import feed_update_seconds

logger = logging.getLogger(__name__)

MAX_INT = 2**31 - 1  # items' integer columns are 32-bit on PostgreSQL
_youtube_id = re.compile(r"^[\w-]{6,20}$")
_language = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")
_lecture_words = re.compile(
    r"\b(?:lectures?|speech(?:es)?|talks?|conferences?|keynotes?|seminars?|vortrag|vorlesung|"
    r"rede|conferencias?|conférences?|discours|palestras?|charlas?|лекци\w*|доклад\w*|"
    r"выступлени\w*)\b", re.IGNORECASE)
_html_start = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
                         re.IGNORECASE | re.DOTALL)


def parse_feed(body: bytes, *, url: str, content_type: str = "",
               source_language: str | None = None, lectures: bool = False,
               now: datetime | None = None) -> ParsedFeed:
    """Read a feed body fetched from `url`; FeedParseError says why when it is not a feed.

    `lectures`: the source publishes lectures, so its audio and video items are lectures.
    """
    if not body.strip():
        raise FeedParseError("not a feed: the body is empty")
    if jsonfeed.looks_like_json(content_type, body):
        feed, entries = jsonfeed.decode(body)
    else:
        feed, entries = _decode_xml(body, url, content_type)
    language = _language_code(feed.get("language")) or source_language
    lectures = lectures or _marks_lectures(feed)
    now = now or utcnow()
    drafts: dict[str, DraftItem] = {}
    for entry in entries:
        draft = adapt_entry(entry, base_url=url, feed_language=language, lectures=lectures,
                            now=now)
        if draft is None:
            logger.debug("entry without a usable link skipped url=%s", url)
        else:
            drafts.setdefault(draft.guid, draft)
    return ParsedFeed(
        title=plain_text(feed.get("title"), 500),
        site_url=_site_url(feed, url),
        language=language,
        items=list(drafts.values()),
        update_seconds=feed_update_seconds(feed),
        websub=advertised_hub(feed, url),
    )


def _decode_xml(body: bytes, url: str, content_type: str) -> tuple[Any, list[Any]]:
    """feedparser's view of the body; a feed it cannot read at all is a FeedParseError."""
    headers = {"content-location": url}
    # the charset it really is, not the one declared: UTF-8 bytes, a Content-Type that says so
    utf8_body, utf8_type = encoding.to_utf8(body, content_type)
    try:  # no DTD, no entity expansion, bounded nesting (parse/defused.py)
        utf8_body = defused(utf8_body)
    except UnterminatedDoctype as exc:
        raise FeedParseError(f"not a feed: {exc}") from None
    if utf8_type:
        headers["content-type"] = utf8_type
    # the shared nh3 allow-list (core/text/html.py) sanitizes (it stops what feedparser's
    # sanitizer lets through) and resolves relative links: feedparser doing either costs
    # 60 % of its time
    result = feedparser.parse(io.BytesIO(utf8_body), response_headers=headers,
                              sanitize_html=False, resolve_relative_uris=False)
    if result.entries or (result.version and not result.bozo):
        if result.bozo:
            logger.info("feed read despite errors url=%s error=%s", url, result.bozo_exception)
        return result.feed, result.entries
    if "html" in content_type.lower() or _html_start.match(body[:2048]):
        raise FeedParseError("not a feed: the server sent an HTML page")
    raise FeedParseError(f"not a feed: {_xml_problem(result.get('bozo_exception'))}")


def _xml_problem(exc: object) -> str:
    if exc is None:
        return "no RSS, Atom or JSON Feed found"
    if hasattr(exc, "getMessage") and hasattr(exc, "getLineNumber"):
        return f"XML error at line {exc.getLineNumber()}: {exc.getMessage()}"
    return f"unreadable ({exc})"


def adapt_entry(entry: Mapping[str, Any], *, base_url: str, feed_language: str | None,
                lectures: bool = False, now: datetime | None = None) -> DraftItem | None:
    """One decoded entry as a clean draft; None when it has no http(s) link at all."""
    video_id = str(entry.get("yt_videoid") or "")
    enclosure, media_kind = _enclosure(entry)
    enc = enclosure or {}
    link = str(entry.get("link") or "").strip()
    url = safe_url(urljoin(base_url, link)) if link else None
    if _youtube_id.match(video_id):
        media_kind = MediaKind.VIDEO
        url = f"https://www.youtube.com/watch?v={video_id}"
    url = url or enc.get("url")
    if not url:
        return None
    summary = _html_field(entry.get("summary"), entry.get("summary_detail"), MAX_SUMMARY,
                          base_url)
    content = _content(entry.get("content"), base_url)
    author = short_text(entry.get("author"))
    if media_kind in (MediaKind.AUDIO, MediaKind.VIDEO) and (lectures or _marks_lectures(entry)):
        media_kind = MediaKind.LECTURE
    return DraftItem(
        guid=_guid(entry.get("id"), url),
        url=url,
        title=plain_text(entry.get("title"), MAX_TITLE) or plain_text(summary or content, 140),
        summary=summary,
        content=content,
        author=author,
        published_at=_published(entry, now or utcnow()),
        media_kind=media_kind,
        enclosure_url=enc.get("url"),
        enclosure_type=enc.get("type"),
        enclosure_length=enc.get("length"),
        duration_seconds=duration_seconds(entry.get("itunes_duration")) or enc.get("duration"),
        image_url=_image(entry),
        language=_entry_language(entry) or feed_language,
        speaker=author if media_kind == MediaKind.LECTURE else None,
    )


def _guid(raw: object, url: str) -> str:
    """The entry's id, else its URL; an overlong id is hashed so it still fits and matches."""
    guid = str(raw or "").strip() or url
    if len(guid) > MAX_URL:
        return "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    return guid


def _html_field(value: object, detail: object, limit: int, base_url: str) -> str:
    """Sanitized HTML of an entry's text; links resolved against its base (xml:base)."""
    detail = detail if isinstance(detail, Mapping) else {}
    if "html" in detail.get("type", "text/html"):
        return clean_html(str(value or ""), limit, base=detail.get("base") or base_url)
    return text_to_html(str(value or ""), limit)


def _content(parts: object, base_url: str) -> str:
    if not isinstance(parts, list) or not parts:
        return ""
    best = next((p for p in parts if "html" in p.get("type", "")), parts[0])
    return _html_field(best.get("value"), best, MAX_CONTENT, base_url)


def _published(entry: Mapping[str, Any], now: datetime) -> datetime | None:
    """When the entry was published, read as feedparser or in another language; else None."""
    found = dates.from_struct(entry.get("published_parsed") or entry.get("updated_parsed"))
    if found is None:
        found = dates.from_localized(entry.get("published") or entry.get("updated"))
    return dates.plausible(found, now)


def _marks_lectures(entry: Mapping[str, Any]) -> bool:
    """A feed or entry says it is lectures: its categories or iTunes keywords, or named
    speakers (podcast:person as host or guest)."""
    terms = [t.get("term") for t in entry.get("tags") or [] if isinstance(t, Mapping)]
    terms += [entry.get("itunes_keywords"), entry.get("category")]
    if any(_lecture_words.search(str(t)[:1000]) for t in terms if t):
        return True
    person = entry.get("podcast_person")
    return isinstance(person, Mapping) and person.get("role", "").lower() in ("host", "guest")


def duration_seconds(value: object) -> int | None:
    """itunes:duration as seconds: "3156", "07:00" (m:s) or "1:02:03" (h:m:s)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        parts = [float(p) for p in text.split(":")]
    except ValueError:
        return None
    if len(parts) > 3 or any(p < 0 for p in parts):
        return None
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + part
    return int(seconds) if 0 < seconds <= MAX_INT else None


def _kind_of(mime: str, medium: str, url: str) -> str:
    """"audio", "video", "image" or "" from a MIME type, a Media RSS medium or the URL."""
    medium = (medium or "").lower()
    if medium in ("audio", "video", "image"):
        return medium
    mime = mime or mimetypes.guess_type(urlsplit(url).path)[0] or ""
    return mime.split("/", 1)[0].lower()


def _media_candidates(entry: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    """Enclosures and Media RSS content as one list of {url, type, length, duration, kind}."""
    for enc in entry.get("enclosures") or []:
        url = safe_url(enc.get("href"))
        if url:
            yield {"url": url, "type": enc.get("type", ""), "length": enc.get("length"),
                   "duration": None, "kind": _kind_of(enc.get("type", ""), "", url)}
    for media in entry.get("media_content") or []:
        url = safe_url(media.get("url"))
        if url:
            yield {"url": url, "type": media.get("type", ""), "length": media.get("filesize"),
                   "duration": media.get("duration"),
                   "kind": _kind_of(media.get("type", ""), media.get("medium", ""), url)}


def _enclosure(entry: Mapping[str, Any]) -> tuple[dict[str, Any] | None, MediaKind]:
    """The first audio or video attachment, with its kind; articles have none."""
    for media in _media_candidates(entry):
        if media["kind"] in ("audio", "video"):
            found = {"url": media["url"], "type": short_text(media["type"], 200),
                     "length": _int(media["length"]), "duration": duration_seconds(
                         media["duration"])}
            return found, MediaKind(media["kind"])
    return None, MediaKind.ARTICLE


def _image(entry: Mapping[str, Any]) -> str | None:
    thumbnails = entry.get("media_thumbnail") or []
    image = entry.get("image") or {}
    candidates = [t.get("url") for t in thumbnails if isinstance(t, Mapping)]
    candidates.append(image.get("href") if isinstance(image, Mapping) else None)
    candidates += [m["url"] for m in _media_candidates(entry) if m["kind"] == "image"]
    return next((u for u in map(safe_url, candidates) if u), None)


def _entry_language(entry: Mapping[str, Any]) -> str | None:
    details = [entry.get("title_detail"), *(entry.get("content") or [])]
    declared = [entry.get("language")] + [d.get("language") for d in details
                                          if isinstance(d, Mapping)]
    return next((c for c in map(_language_code, declared) if c), None)


def _language_code(value: object) -> str | None:
    """The primary subtag of a declared language ("en-GB" → "en"), or None."""
    match = _language.match(str(value or "").strip())
    return match.group(1).lower() if match else None


def _site_url(feed: Mapping[str, Any], feed_url: str) -> str | None:
    links = [feed.get("link")] + [link.get("href") for link in feed.get("links") or []
                                  if link.get("rel") == "alternate"]
    return next((u for u in (safe_url(urljoin(feed_url, x or "")) for x in links if x) if u),
                None)


def advertised_hub(feed: Mapping[str, Any], feed_url: str) -> tuple[str, str] | None:
    """(hub, topic) from feedparser's feed.links: rel="hub", and rel="self" or the feed URL.

    JSON Feed's `hubs` and `feed_url` arrive as the same links (crawler/parse/jsonfeed.py).
    """
    links = [link for link in feed.get("links") or [] if isinstance(link, Mapping)]
    hub = next((link.get("href") for link in links if link.get("rel") == "hub"), None)
    hub = safe_url(urljoin(feed_url, hub)) if hub else None
    if not hub:
        return None
    topic = next((link.get("href") for link in links if link.get("rel") == "self"), None)
    topic = safe_url(urljoin(feed_url, topic)) if topic else feed_url
    if len(hub) > MAX_URL or len(topic or "") > MAX_URL:
        return None
    return hub, topic or feed_url


def _int(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if 0 < number <= MAX_INT else None
