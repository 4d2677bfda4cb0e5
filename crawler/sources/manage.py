"""Managing sources: add one, list them, and exchange them with other readers as OPML.

A site added by its address gets its feed (crawler/sources/discover.py) or, when it offers
none, is added in sitemap mode if it has a sitemap (crawler/sitemap/spider.py).

OPML comes from outside, so it is parsed with defusedxml: a DTD (and with it entity
expansion and external entities) is refused outright, the size is bounded first, and its
outlines are walked without recursion, however deep they nest. A feed URL with
credentials (http://user:password@host/feed) is stored without them; they are kept apart
(`Source.fetch_username`, `fetch_password`) and sent as HTTP basic auth to that host only.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from sqlalchemy import select
from sqlalchemy.orm import Session

from rabkor.core.errors import AlreadyExists, FetchError, InvalidInput, RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Category, MediaKind, Source
from rabkor.core.text.html import plain_text
from rabkor.core.text.urls import UrlError, parse_url, redacted, safe_url

logger = logging.getLogger(__name__)

MAX_OPML_BYTES = 5 * 1024 * 1024
FETCH_MODES = ("feed", "sitemap")
MAX_RULES = 50
MAX_RULE_LENGTH = 500


def add_source(session: Session, feed_url: str, *, title: str | None = None,
               language: str | None = None, kind: str = "article",
               category: str | None = None, site_url: str | None = None,
               description: str | None = None,
               editorial_comment: str | None = None, fetch_mode: str = "feed",
               include: Sequence[str] = (), exclude: Sequence[str] = (),
               credentials: tuple[str, str] | None = None) -> Source:
    """A new source for `feed_url`; InvalidInput if the URL is unusable, AlreadyExists if known.

    A "sitemap" source is a site without feeds: `feed_url` is its home page, and its
    articles are the sitemap URLs that match an `include` regex (any, when none is
    given) and no `exclude` regex.
    """
    url, given = _feed_url(feed_url)
    credentials = credentials or given
    if fetch_mode not in FETCH_MODES:
        raise InvalidInput(f"unknown fetch mode {fetch_mode!r}: use feed or sitemap")
    rules = url_rules(include, exclude)
    if rules and fetch_mode != "sitemap":
        raise InvalidInput("URL include/exclude rules apply to sitemap sources only")
    if session.scalar(select(Source.id).where(Source.feed_url == url)) is not None:
        raise AlreadyExists(f"a source with the feed URL {url} already exists")
    try:
        media_kind = MediaKind(kind)
    except ValueError:
        kinds = ", ".join(k.value for k in MediaKind)
        raise InvalidInput(f"unknown source kind {kind!r}: use one of {kinds}") from None
    if site_url and safe_url(site_url) is None:
        raise InvalidInput(f"the site URL must be an http or https URL: {site_url!r}")
    language = (language or "").strip().lower() or None
    source = Source(feed_url=url, title=plain_text(title, 500), language=language,
                    kind=media_kind, category=_listed(session, category),
                    site_url=safe_url(site_url), description=description or None,
                    editorial_comment=editorial_comment or None,
                    fetch_mode=fetch_mode, url_rules=rules,
                    fetch_username=credentials[0][:500] if credentials else None,
                    fetch_password=credentials[1][:500] if credentials else None)
    session.add(source)
    session.flush()
    logger.info("source added source_id=%s url=%s", source.id, url)
    return source


def _listed(session: Session, category: str | None) -> str | None:
    """The category as stored, added to the desk's managed list when it is new there (a
    folder of an imported OPML file, a `--category` on the command line)."""
    name = plain_text(category, 200) if category else ""
    if name and session.get(Category, name) is None:
        session.add(Category(name=name, active=True))
    return name or None


def url_rules(include: Sequence[str], exclude: Sequence[str]) -> dict[str, list[str]] | None:
    """Checked include/exclude regexes as stored in Source.url_rules; None when there are none."""
    rules = {"include": [r for r in include if r], "exclude": [r for r in exclude if r]}
    for pattern in rules["include"] + rules["exclude"]:
        if len(pattern) > MAX_RULE_LENGTH:
            raise InvalidInput(f"a URL rule is longer than {MAX_RULE_LENGTH} characters")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise InvalidInput(f"the URL rule {pattern!r} is not a valid regex: {exc}") from None
    if len(rules["include"]) + len(rules["exclude"]) > MAX_RULES:
        raise InvalidInput(f"more than {MAX_RULES} URL rules")
    return rules if rules["include"] or rules["exclude"] else None


@dataclass
class Added:
    """What `add_from_site` did: the sources added and every feed the site offered, or
    the sitemap found when it offered none (the source is then in sitemap mode)."""

    sources: list[tuple[int, str]] = field(default_factory=list)
    candidates: list = field(default_factory=list)
    warning: str | None = None
    sitemap: str | None = None


def add_from_site(store: Store, settings: Settings, url: str, *, pick: int | None = None,
                  add_all: bool = False, kind: str | None = None, **fields: object) -> Added:
    """Add the feed behind `url`, which may be a feed, a site's page or a YouTube URL.

    Discovery fetches before the transaction opens, so no write lock is held on the
    network. The best feed is added, or the `pick`-th (from 1), or all of them; a site
    without feeds but with a sitemap is added as a sitemap source.
    """
    from rabkor.crawler.fetch.direct import AddressRefused, client
    from rabkor.crawler.sitemap.read import SITEMAP_MODE, SITEMAP_PATHS, find_sitemap
    from rabkor.crawler.sources.discover import FeedCandidate, NoFeedFound, discover

    added = Added()
    site, credentials = _feed_url(url)
    try:
        with client(settings) as http:
            try:
                candidates = _reachable(discover(http, site, settings, credentials),
                                        settings, added)
            except NoFeedFound as exc:
                added.sitemap = find_sitemap(http, site, settings)
                if added.sitemap is None:
                    raise NoFeedFound(f"{exc}; nor has the site a sitemap (looked for "
                                      f"robots.txt Sitemap: lines, {', '.join(SITEMAP_PATHS)})"
                                      ) from None
                candidates = []
    except (NoFeedFound, AddressRefused) as exc:
        raise InvalidInput(f"cannot add {site!r}: {exc}") from None
    except FetchError as exc:  # unreachable now: added as given, the crawl will retry it
        added.warning = f"could not fetch {site} to check it ({exc}); added as a feed"
        candidates = [FeedCandidate(site)]
    if added.sitemap is not None:
        with store.transaction() as session:
            source = add_source(session, site, kind=kind or "article",
                                fetch_mode=SITEMAP_MODE, **fields)
            added.sources.append((source.id, source.feed_url))
        return added
    if pick is not None and not 1 <= pick <= len(candidates):
        raise InvalidInput(f"--pick {pick}: the site offers {len(candidates)} feeds")
    chosen = candidates if add_all else [candidates[(pick or 1) - 1]]
    added.candidates = candidates
    title = fields.pop("title", None)
    with store.transaction() as session:
        for candidate in chosen:
            same_host = parse_url(candidate.url).host == parse_url(site).host
            source = add_source(session, candidate.url, title=title or candidate.title or None,
                                kind=kind or ("video" if candidate.video else "article"),
                                credentials=credentials if same_host else None, **fields)
            added.sources.append((source.id, source.feed_url))
    return added


def _reachable(candidates: list, settings: Settings, added: Added) -> list:
    """The discovered feeds whose host the address guard allows, checked now rather than at
    their first crawl (the others named in a warning); AddressRefused when it allows none."""
    from rabkor.crawler.fetch.direct import AddressRefused, check_address

    allowed, refused = [], []
    for candidate in candidates:
        try:
            check_address(candidate.url, settings)
        except AddressRefused as exc:
            refused.append(f"{candidate.url} ({exc})")
            continue
        allowed.append(candidate)
    if refused and not allowed:
        raise AddressRefused("every feed the site names is refused: " + "; ".join(refused))
    if refused:
        added.warning = "feeds refused by the address guard: " + "; ".join(refused)
    return allowed


def _feed_url(raw: str) -> tuple[str, tuple[str, str] | None]:
    """The URL as the one URL parser writes it, and the credentials it carried, if any."""
    try:
        parsed = parse_url((raw or "").strip())
    except UrlError as exc:
        raise InvalidInput(f"cannot add {redacted(raw)!r} as a source: {exc}") from None
    return parsed.url, parsed.credentials


def list_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.title, Source.id)))


def import_opml(session: Session, data: bytes) -> list[Source]:
    """Add every feed in an OPML document (folders become categories), skipping known ones."""
    known = set(session.scalars(select(Source.feed_url)))
    added = []
    for outline, folder in _feed_outlines(_opml_body(data)):
        raw_url = outline.get("xmlUrl") or outline.get("xmlurl") or ""
        try:
            url, credentials = _feed_url(raw_url)
        except RabkorError as exc:
            logger.warning("OPML outline skipped reason=%s", exc)
            continue
        if url in known:
            continue
        known.add(url)
        added.append(add_source(
            session, url, credentials=credentials,
            title=outline.get("title") or outline.get("text"),
            language=outline.get("language"),
            category=outline.get("category") or folder,
            site_url=safe_url(outline.get("htmlUrl")),
            description=outline.get("description"),
        ))
    return added


def _opml_body(data: bytes) -> Element:
    if len(data) > MAX_OPML_BYTES:
        raise InvalidInput(f"the OPML file is larger than {MAX_OPML_BYTES // (1024 * 1024)} MB")
    try:
        root = safe_fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise InvalidInput("the OPML file declares a DTD or entities, which are refused") from None
    except ET.ParseError as exc:
        raise InvalidInput(f"the file is not readable XML: {exc}") from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise InvalidInput("the file is XML but not OPML (no <opml><body>)")
    return body


def _feed_outlines(body: Element) -> Iterator[tuple[Element, str | None]]:
    """Outlines with a feed URL, at any depth, in document order, each with the title of
    its nearest folder: an explicit stack, so 1,000 nested folders cost no recursion."""
    stack: list[tuple[Iterator[Element], str | None]] = [(iter(body.findall("outline")), None)]
    while stack:
        outlines, folder = stack[-1]
        outline = next(outlines, None)
        if outline is None:
            stack.pop()
        elif outline.get("xmlUrl") or outline.get("xmlurl"):
            yield outline, folder
        else:
            name = plain_text(outline.get("title") or outline.get("text"), 200) or folder
            stack.append((iter(outline.findall("outline")), name))


def export_opml(session: Session) -> bytes:
    """All sources as OPML 2.0, one folder per category."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = "Rabkor sources"
    body = ET.SubElement(root, "body")
    folders: dict[str, Element] = {}
    for source in list_sources(session):
        parent = body
        if source.category:
            if source.category not in folders:
                folders[source.category] = ET.SubElement(
                    body, "outline", text=source.category, title=source.category)
            parent = folders[source.category]
        attrs = {"type": "rss", "text": source.title or source.feed_url,
                 "title": source.title, "xmlUrl": source.feed_url,
                 "htmlUrl": source.site_url, "language": source.language,
                 "description": source.description}
        ET.SubElement(parent, "outline", {k: v for k, v in attrs.items() if v})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
