"""The Atom feed of a site language: the items as the home page shows them, labelled
(the document itself is core/web/atom.py's)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rabkor.core.store.models import Item, utcnow
from rabkor.core.web.atom import Entry, atom_document
from rabkor.site.display import ItemView
from rabkor.site.i18n import _


def atom_feed(views: Sequence[ItemView], *, lang: str, title: str, feed_url: str,
              home_url: str, item_url: Callable[[Item], str]) -> bytes:
    """The feed document; titles and summaries as the home page shows them, labelled."""
    return atom_document(
        [_entry(view, item_url(view.item)) for view in views], title=title,
        feed_url=feed_url, home_url=home_url, lang=lang,
        updated=max((v.date for v in views), default=utcnow()))


def _entry(view: ItemView, url: str) -> Entry:
    summary = view.summary
    if view.label:
        engine = f" ({view.engine})" if view.engine else ""
        summary = f"{summary}\n\n[{view.label}{engine}. {_('Original')}: {view.item.url}]"
    return Entry(title=view.title, url=url, published=view.date,
                 updated=max(view.date, view.item.updated_at), related=view.item.url,
                 author=view.item.author or (view.item.source.title if view.item.source
                                             else "") or _("Unknown author"),
                 summary=summary)
