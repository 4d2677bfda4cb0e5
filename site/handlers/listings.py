"""The reader's listings: the home page (the desk's featured items, then the latest), the
latest items, a topic, a source (with the organisation's own description and the
editorial comment), a media kind, an original language and a month — each paged by a
cursor and each also an Atom, RSS 2.0 and JSON feed at `…/feed.atom|rss|json`; and the
indexes that lead to them (topics, the directory of sources, the archive's months).

Store reads run in the thread pool, off the event loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from babel.dates import format_skeleton
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.store.models import Item, ItemStatus, Source
from rabkor.site import directory, listings
from rabkor.site.display import item_view
from rabkor.site.feeds import FORMATS, feed_response
from rabkor.site.i18n import _, kind_plural, language_name, native_name
from rabkor.site.pages import absolute_url, path_for, reader_language, render, settings_of


@dataclass(frozen=True)
class Chosen:
    """What a listing's address asked for, found in the store."""

    listing: listings.Listing
    title: str
    route: str  # the HTML page's route name
    params: dict  # its path parameters, the language apart
    source: Source | None = None


def _not_found() -> HTTPException:
    return HTTPException(404, _("There is no such page."))


def _latest(session: Session, request: Request, lang: str) -> Chosen:
    return Chosen(listings.Listing(), _("Latest"), "latest", {})


def _topic(session: Session, request: Request, lang: str) -> Chosen:
    topic = listings.topic_by_slug(session, request.path_params["slug"])
    if topic is None or not topic.active:
        raise _not_found()
    return Chosen(listings.Listing("topic", str(topic.id)), topic.name(lang), "topic",
                  {"slug": topic.slug})


def _source(session: Session, request: Request, lang: str) -> Chosen:
    source_id = request.path_params["source_id"]
    source = listings.source_of(session, source_id) if source_id < 2**63 else None
    if source is None:
        raise _not_found()
    return Chosen(listings.Listing("source", str(source.id)), source.title or source.feed_url,
                  "source", {"source_id": source.id}, source)


def _kind(session: Session, request: Request, lang: str) -> Chosen:
    kind = request.path_params["kind"]
    if kind not in listings.KINDS:
        raise _not_found()
    return Chosen(listings.Listing("kind", kind), kind_plural(kind), "kind", {"kind": kind})


def _language(session: Session, request: Request, lang: str) -> Chosen:
    code = request.path_params["code"]
    if not (code.isalpha() and 2 <= len(code) <= 3 and code.islower()):
        raise _not_found()
    return Chosen(listings.Listing("language", code),
                  _("Originally in {language}").format(language=language_name(code)),
                  "original_language", {"code": code})


def _month(session: Session, request: Request, lang: str) -> Chosen:
    year, month = request.path_params["year"], request.path_params["month"]
    if not (1990 <= year <= 2999 and 1 <= month <= 12):
        raise _not_found()
    return Chosen(listings.Listing("month", f"{year:04d}-{month:02d}"),
                  format_skeleton("yMMMM", date(year, month, 1), locale=lang), "month",
                  {"year": year, "month": month})


LISTINGS: dict[str, Callable[[Session, Request, str], Chosen]] = {
    "latest": _latest, "topic": _topic, "source": _source, "kind": _kind,
    "original_language": _language, "month": _month,
}


def listing_page(name: str):
    """The HTML page of listing `name`: its items after `?after=`, newest first."""

    async def handler(request: Request) -> Response:
        lang = reader_language(request)
        chosen, found, views, extra = await _read(request, name, lang, listings.PAGE)
        here = path_for(request, chosen.route, lang=lang, **chosen.params)
        return render(request, "listings/show.html", {
            "lang": lang, "chosen": chosen, "views": views, "here": here,
            "next_url": f"{here}?after={found.next_cursor}" if found.next_cursor else "",
            "first": found.first, "feeds": _feed_links(request, chosen, lang), **extra})

    return handler


def listing_feed(name: str):
    """Listing `name` as a feed: `fmt` atom, rss or json; its first FEED_SIZE items, or
    those after `?after=` (the JSON and Atom feeds name their next page)."""

    async def handler(request: Request) -> Response:
        lang = reader_language(request)
        fmt = request.path_params["fmt"]
        if fmt not in FORMATS:
            raise _not_found()
        wanted = request.query_params.get("source", "")
        if name == "latest" and wanted.isdigit():  # the old feed address's filter
            return RedirectResponse(path_for(request, "source_feed", lang=lang, fmt=fmt,
                                             source_id=int(wanted)), status_code=301)
        chosen, found, views, _ = await _read(request, name, lang, listings.FEED_SIZE)
        feed_url = absolute_url(request, f"{chosen.route}_feed", lang=lang, fmt=fmt,
                                **chosen.params)
        settings = settings_of(request)
        site = settings.site_title
        return feed_response(
            fmt, views, lang=lang, title=f"{site}: {chosen.title} ({native_name(lang)})",
            feed_url=feed_url, home_url=absolute_url(request, chosen.route, lang=lang,
                                                     **chosen.params),
            item_url=lambda item: absolute_url(request, "items_show", lang=lang, id=item.id),
            next_url=f"{feed_url}?after={found.next_cursor}" if found.next_cursor else "",
            description=chosen.title, image_url=settings.podcast_image_url)

    return handler


async def _read(request: Request, name: str, lang: str, limit: int):
    """Listing `name` as its address asks: what it is, its page after `?after=`, the
    items as the reader sees them, and a source's activity for a source's page."""
    cursor = request.query_params.get("after", "")

    def read():
        with request.app.state.store.read() as s:
            chosen = LISTINGS[name](s, request, lang)
            try:
                found = listings.page(s, chosen.listing, cursor, limit)
            except listings.BadCursor:
                raise _not_found() from None
            extra = about_source(s, chosen.source) if chosen.source else {}
            return chosen, found, [item_view(i, lang) for i in found.items], extra

    return await run_in_threadpool(read)


def _feed_links(request: Request, chosen: Chosen, lang: str) -> list[tuple[str, str, str]]:
    return [(label, FORMATS[fmt].split(";")[0],
             path_for(request, f"{chosen.route}_feed", lang=lang, fmt=fmt, **chosen.params))
            for fmt, label in (("atom", "Atom"), ("rss", "RSS"), ("json", "JSON Feed"))]


def about_source(session: Session, source: Source) -> dict:
    """A source's activity: how many of its items are published, in which original
    languages."""
    # the status is counted, not asked: beside `source_id = ?` it made SQLite walk every
    # published item by the listing index (9 ms at 100,000) instead of the source's items
    rows = session.execute(
        select(Item.language, Item.status, func.count()).where(
            Item.source_id == source.id, Item.duplicate_of_id.is_(None))
        .group_by(Item.language, Item.status)).all()
    languages = sorted(((code, n) for code, status, n in rows
                        if status == ItemStatus.APPROVED), key=lambda pair: -pair[1])
    total = sum(n for _, n in languages)
    return {"source": source, "source_total": total,
            "source_rate": directory.monthly_rate(session, source.id),
            "source_languages": [(code, n) for code, n in languages if code]}


async def home(request: Request) -> Response:
    """The desk's featured items, then the latest, newest first."""
    lang = reader_language(request)

    def read():
        with request.app.state.store.read() as s:
            featured = listings.featured(s)
            latest = listings.page(s, listings.Listing(), "")
            shown = {i.id for i in featured}
            return ([item_view(i, lang) for i in featured],
                    [item_view(i, lang) for i in latest.items if i.id not in shown],
                    latest.next_cursor)

    featured, latest, cursor = await run_in_threadpool(read)
    more = path_for(request, "latest", lang=lang)
    return render(request, "listings/home.html", {
        "lang": lang, "featured": featured, "views": latest,
        "next_url": f"{more}?after={cursor}" if cursor else ""})


async def topic_index(request: Request) -> Response:
    lang = reader_language(request)

    def read():
        with request.app.state.store.read() as s:
            return listings.topics(s)

    return render(request, "listings/topics.html", {"lang": lang,
                                                     "topics": await run_in_threadpool(read)})


async def archive_index(request: Request) -> Response:
    lang = reader_language(request)

    def read():
        with request.app.state.store.read() as s:
            return listings.months(s)

    months = [(int(m[:4]), int(m[5:7]), n) for m, n in await run_in_threadpool(read)]
    return render(request, "listings/archive.html", {
        "lang": lang, "months": [(y, m, format_skeleton("yMMMM", date(y, m, 1), locale=lang), n)
                                 for y, m, n in months]})


async def source_directory(request: Request) -> Response:
    """The directory of organisations by tendency (`?by=category`, the default) or by
    language (`?by=language`); `?group=` shows one group, page by page (`?after=`)."""
    lang = reader_language(request)
    by = request.query_params.get("by", "category")
    if by not in directory.GROUPINGS:
        raise HTTPException(404, _("There is no such page."))
    group = request.query_params.get("group")
    after = request.query_params.get("after", "")

    def read():
        with request.app.state.store.read() as s:
            if group is None:
                return directory.overview(s, by), None
            return directory.group_page(s, by, group, after)

    try:
        found, cursor = await run_in_threadpool(read)
    except directory.BadCursor:
        raise HTTPException(404, _("There is no such page.")) from None
    if by == "language" and group is None:  # by the names the reader reads
        found.sort(key=lambda g: (not g.key, language_name(g.key).casefold()))
    base = path_for(request, "sources", lang=lang)
    return render(request, "listings/directory.html", {
        "lang": lang, "by": by, "group": group, "base": base,
        "groups": found if group is None else [directory.Group(group, found, len(found))],
        "next_url": f"{base}?{urlencode({'by': by, 'group': group, 'after': cursor})}"
                    if cursor else ""})
