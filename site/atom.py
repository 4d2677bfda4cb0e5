"""The Atom feed (RFC 4287) of a site language, built with ElementTree so escaping is exact."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from rabkor.core.store.models import Item, utcnow
from rabkor.site.display import ItemView
from rabkor.site.i18n import _

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 forbids; feeds from outside sometimes carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ET.register_namespace("", ATOM)


def atom_feed(views: Sequence[ItemView], *, lang: str, title: str, feed_url: str,
              home_url: str, item_url: Callable[[Item], str]) -> bytes:
    """The feed document; titles and summaries as the home page shows them, labelled."""
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    _text(feed, "title", title)
    _text(feed, "id", feed_url)
    _text(feed, "updated", _stamp(max((v.date for v in views), default=utcnow())))
    _link(feed, feed_url, "self", "application/atom+xml")
    _link(feed, home_url, "alternate", "text/html")
    _text(feed, "generator", "Rabkor")
    for view in views:
        feed.append(_entry(view, item_url(view.item)))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(view: ItemView, url: str) -> ET.Element:
    entry = ET.Element(f"{{{ATOM}}}entry")
    _text(entry, "title", view.title)
    _text(entry, "id", url)
    _text(entry, "published", _stamp(view.date))
    _text(entry, "updated", _stamp(max(view.date, view.item.updated_at)))
    _link(entry, url, "alternate", "text/html")
    _link(entry, view.item.url, "related", "text/html")
    author = ET.SubElement(entry, f"{{{ATOM}}}author")
    _text(author, "name", view.item.author or (view.item.source.title if view.item.source
                                                 else "") or _("Unknown author"))
    summary = view.summary
    if view.label:
        engine = f" ({view.engine})" if view.engine else ""
        summary = f"{summary}\n\n[{view.label}{engine}. {_('Original')}: {view.item.url}]"
    if summary:
        _text(entry, "summary", summary.strip())
    return entry


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    child.text = _NOT_XML.sub("", value)
    return child


def _link(parent: ET.Element, href: str, rel: str, media_type: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"href": href, "rel": rel, "type": media_type})


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
