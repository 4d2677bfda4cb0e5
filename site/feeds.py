"""A listing as a feed: Atom, RSS 2.0 (a podcast feed when its items are audio or video)
or JSON Feed, each entry's title and summary as the reader's language shows them,
labelled when a machine or a volunteer translated them (the documents themselves are
written by core/web)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.responses import Response

from rabkor.core.store.models import Item, utcnow
from rabkor.core.text.urls import is_web_url
from rabkor.core.web.atom import Entry, atom_document
from rabkor.core.web.jsonfeed import json_feed
from rabkor.core.web.rss import rss_document
from rabkor.site.display import ItemView
from rabkor.site.i18n import _

FORMATS = {"atom": "application/atom+xml; charset=utf-8",
           "rss": "application/rss+xml; charset=utf-8",
           "json": "application/feed+json; charset=utf-8"}


def entry_of(view: ItemView, url: str) -> Entry:
    item = view.item
    summary = view.summary
    if view.label:
        engine = f" ({view.engine})" if view.engine else ""
        summary = f"{summary}\n\n[{view.label}{engine}. {_('Original')}: {item.url}]"
    media = item.enclosure_url if is_web_url(item.enclosure_url) else ""
    return Entry(title=view.title, url=url, published=view.date,
                 updated=max(view.date, item.updated_at), related=item.url,
                 author=item.author or (item.source.title if item.source else "")
                 or _("Unknown author"), summary=summary,
                 language=view.shown_language or item.language or "",
                 enclosure_url=media or "", enclosure_type=item.enclosure_type or "",
                 enclosure_length=item.enclosure_length or 0,
                 duration=item.duration_seconds or 0)


def feed_response(fmt: str, views: Sequence[ItemView], *, lang: str, title: str,
                  feed_url: str, home_url: str, item_url: Callable[[Item], str],
                  next_url: str = "", description: str = "", image_url: str = "") -> Response:
    """The feed of `views` in `fmt` (a key of FORMATS)."""
    entries = [entry_of(view, item_url(view.item)) for view in views]
    updated = max((e.updated for e in entries), default=utcnow())
    if fmt == "rss":
        body = rss_document(entries, title=title, home_url=home_url, lang=lang,
                            description=description or title, updated=updated,
                            image_url=image_url)
    elif fmt == "json":
        body = json_feed(entries, title=title, feed_url=feed_url, home_url=home_url,
                         lang=lang, next_url=next_url, description=description)
    else:
        body = atom_document(entries, title=title, feed_url=feed_url, home_url=home_url,
                             lang=lang, updated=updated, next_url=next_url)
    return Response(body, media_type=FORMATS[fmt])
