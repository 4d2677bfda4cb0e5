"""The Atom feed of the latest approved items, as a reader of one language sees them; its
links start with the public URL (a feed is read away from the site), never the Host header."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from rabkor.site import catalog
from rabkor.site.atom import atom_feed
from rabkor.site.display import item_view
from rabkor.site.i18n import native_name
from rabkor.site.pages import absolute_url, reader_language, settings_of

FEED_SIZE = 50


async def feeds_show(request: Request) -> Response:
    lang = reader_language(request)
    with request.app.state.store.read() as s:
        views = [item_view(item, lang) for item in catalog.latest_items(s, limit=FEED_SIZE)]
    body = atom_feed(
        views,
        lang=lang,
        title=f"{settings_of(request).site_title} ({native_name(lang)})",
        feed_url=absolute_url(request, "feeds_show", lang=lang),
        home_url=absolute_url(request, "items_list", lang=lang),
        item_url=lambda item: absolute_url(request, "items_show", lang=lang, id=item.id),
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")
