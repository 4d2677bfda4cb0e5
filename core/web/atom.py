"""Atom documents (RFC 4287), built with ElementTree so escaping is exact: the site's
feeds and the editors' private feeds of saved filters write through here. `Entry` is
what every feed format writes of an item (core/web/rss.py, core/web/jsonfeed.py too)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 forbids; feeds from outside sometimes carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ET.register_namespace("", ATOM)


@dataclass(frozen=True)
class Entry:
    title: str
    url: str  # the entry's page, also its id
    published: datetime
    updated: datetime
    author: str
    summary: str = ""
    related: str = ""  # the original, when the entry's page is ours
    language: str = ""
    # an audio or video file: what makes a listing a podcast
    enclosure_url: str = ""
    enclosure_type: str = ""
    enclosure_length: int = 0
    duration: int = 0  # seconds


def atom_document(entries: Sequence[Entry], *, title: str, feed_url: str, home_url: str,
                  updated: datetime, lang: str = "", next_url: str = "") -> bytes:
    attributes = {"{http://www.w3.org/XML/1998/namespace}lang": lang} if lang else {}
    feed = ET.Element(f"{{{ATOM}}}feed", attributes)
    _text(feed, "title", title)
    _text(feed, "id", feed_url)
    _text(feed, "updated", _stamp(updated))
    _link(feed, feed_url, "self", "application/atom+xml")
    _link(feed, home_url, "alternate", "text/html")
    if next_url:  # RFC 5005 paging
        _link(feed, next_url, "next", "application/atom+xml")
    _text(feed, "generator", "Rabkor")
    for e in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "title", e.title)
        _text(entry, "id", e.url)
        _text(entry, "published", _stamp(e.published))
        _text(entry, "updated", _stamp(e.updated))
        _link(entry, e.url, "alternate", "text/html")
        if e.related:
            _link(entry, e.related, "related", "text/html")
        if e.enclosure_url:
            link = ET.SubElement(entry, f"{{{ATOM}}}link", {
                "href": e.enclosure_url, "rel": "enclosure",
                "type": e.enclosure_type or "application/octet-stream"})
            if e.enclosure_length:
                link.set("length", str(e.enclosure_length))
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        _text(author, "name", e.author)
        if e.summary:
            _text(entry, "summary", e.summary.strip())
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def clean(value: str) -> str:
    """Text XML 1.0 can hold: the characters it forbids left out."""
    return _NOT_XML.sub("", value)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    child.text = clean(value)
    return child


def _link(parent: ET.Element, href: str, rel: str, media_type: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"href": href, "rel": rel, "type": media_type})


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
