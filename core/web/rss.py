"""RSS 2.0 documents with the iTunes podcast tags, so that a listing of audio or video
items is a podcast feed that podcast apps subscribe to (Apple's and the Podcast Index's
required elements: title, link, description, language, an enclosure with its length and
type, a guid and a date on each item). Built with ElementTree, escaping exact."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from rabkor.core.web.atom import Entry, clean

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ET.register_namespace("itunes", ITUNES)
# no atom:link rel="self": ElementTree's prefixes are global, and the Atom writer makes
# Atom the default namespace, which would take in every unprefixed RSS element


def rss_document(entries: Sequence[Entry], *, title: str, home_url: str,
                 description: str, updated: datetime, lang: str = "", author: str = "",
                 category: str = "News", image_url: str = "") -> bytes:
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", title)
    _text(channel, "link", home_url)
    _text(channel, "description", description)
    if lang:
        _text(channel, "language", lang)
    _text(channel, "lastBuildDate", format_datetime(updated))
    _text(channel, "generator", "Rabkor")
    _text(channel, f"{{{ITUNES}}}author", author or title)
    _text(channel, f"{{{ITUNES}}}explicit", "false")
    ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": category})
    if image_url:  # RSS 2.0's channel image, and the artwork podcast directories ask for
        image = ET.SubElement(channel, "image")
        _text(image, "url", image_url)
        _text(image, "title", title)
        _text(image, "link", home_url)
        ET.SubElement(channel, f"{{{ITUNES}}}image", {"href": image_url})
    for e in entries:
        item = ET.SubElement(channel, "item")
        _text(item, "title", e.title)
        _text(item, "link", e.url)
        _text(item, "guid", e.url).set("isPermaLink", "true")
        _text(item, "pubDate", format_datetime(e.published))
        if e.summary:
            _text(item, "description", e.summary.strip())
        if e.author:
            _text(item, f"{{{ITUNES}}}author", e.author)
        if e.enclosure_url:
            ET.SubElement(item, "enclosure", {
                "url": e.enclosure_url, "length": str(e.enclosure_length or 0),
                "type": e.enclosure_type or "application/octet-stream"})
            if e.duration:
                _text(item, f"{{{ITUNES}}}duration", str(e.duration))
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    child = ET.SubElement(parent, tag)
    child.text = clean(value)
    return child
