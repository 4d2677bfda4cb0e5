"""Every listing's feeds against the rules of their specifications, element by element —
what feedparser, which accepts nearly anything, does not check: RFC 4287 for Atom
(§4.1.1–4.1.2: one id, title and updated per feed and entry, an author for each entry,
an alternate link, dates in RFC 3339), RSS 2.0 (channel title, link and description;
items with a title or description, RFC 822 dates, enclosures with url, length and type)
with the podcast tags Apple's directory asks for, and JSON Feed 1.1 (version, title,
items with a string id and content)."""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from defusedxml import ElementTree as ET
from sqlalchemy import select
from starlette.testclient import TestClient

from rabkor.core.store.models import Item, ItemTopic, Source, Topic
from rabkor.site.app import create_app
from tests.site.test_listings import START, _store_items

A = "{http://www.w3.org/2005/Atom}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


@pytest.fixture
def feeds(settings, store):
    """The path of each listing's feed (without its extension), over a store of 300 items
    of every kind and language, and a client whose settings give podcast artwork."""
    with store.transaction() as s:
        source = Source(feed_url="https://radio.example/feed", title="Dock Workers' Radio")
        topic = Topic(slug="strikes", names={"en": "Strikes", "es": "Huelgas"})
        s.add_all([source, topic])
        s.flush()
        source_id, topic_id = source.id, topic.id
    _store_items(store, 300, source_ids=(source_id,))
    with store.transaction() as s:
        s.add_all([ItemTopic(item_id=i, topic_id=topic_id)
                   for i in s.scalars(select(Item.id).limit(40))])
    month = f"{START.year}/{START.month}"
    paths = ["/en/feed", "/es/topics/strikes/feed", f"/en/sources/{source_id}/feed",
             "/en/kinds/audio/feed", "/es/kinds/video/feed", "/en/originally/ru/feed",
             f"/es/archive/{month}/feed"]
    art = settings.with_(podcast_image_url="https://radio.example/art.png")
    with TestClient(create_app(art, store)) as client:
        yield client, paths


def _absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _rfc3339(text: str | None) -> bool:
    try:
        return datetime.fromisoformat(text or "").tzinfo is not None and "T" in text
    except ValueError:
        return False


def _one(parent, tag: str):
    found = parent.findall(tag)
    assert len(found) == 1, f"{tag}: {len(found)}"
    return found[0]


def test_every_atom_feed_holds_what_rfc_4287_requires(feeds):
    client, paths = feeds
    for path in paths:
        response = client.get(f"{path}.atom")
        assert response.status_code == 200, path
        feed = ET.fromstring(response.content)
        assert feed.tag == f"{A}feed"
        assert _absolute(_one(feed, f"{A}id").text) and _one(feed, f"{A}title").text
        assert _rfc3339(_one(feed, f"{A}updated").text), path
        links = {(link.get("rel"), link.get("type")): link.get("href")
                 for link in feed.findall(f"{A}link")}
        assert links[("self", "application/atom+xml")].endswith(f"{path}.atom")
        assert _absolute(links[("alternate", "text/html")])
        entries = feed.findall(f"{A}entry")
        assert entries, path
        ids = [_one(e, f"{A}id").text for e in entries]
        assert len(set(ids)) == len(ids) and all(map(_absolute, ids))
        for entry in entries:
            assert _one(entry, f"{A}title").text
            assert _rfc3339(_one(entry, f"{A}updated").text)
            assert _rfc3339(_one(entry, f"{A}published").text)
            assert _one(_one(entry, f"{A}author"), f"{A}name").text  # no feed-level author
            alternates = [link for link in entry.findall(f"{A}link")
                          if link.get("rel") == "alternate"]
            assert len(alternates) == 1 and _absolute(alternates[0].get("href"))
            for link in entry.findall(f"{A}link"):
                if link.get("rel") == "enclosure":
                    assert _absolute(link.get("href")) and "/" in link.get("type")
                    assert int(link.get("length")) > 0


def test_every_rss_feed_holds_what_rss_2_and_podcast_directories_require(feeds):
    client, paths = feeds
    for path in paths:
        response = client.get(f"{path}.rss")
        rss = ET.fromstring(response.content)
        assert rss.tag == "rss" and rss.get("version") == "2.0"
        channel = _one(rss, "channel")
        assert _one(channel, "title").text and _one(channel, "description").text
        assert _absolute(_one(channel, "link").text)
        assert _one(channel, "language").text in ("en", "es")
        assert parsedate_to_datetime(_one(channel, "lastBuildDate").text).tzinfo
        assert _one(channel, f"{ITUNES}explicit").text in ("true", "false")
        assert _one(channel, f"{ITUNES}category").get("text")
        assert _one(channel, f"{ITUNES}image").get("href") == "https://radio.example/art.png"
        image = _one(channel, "image")
        assert _one(image, "url").text == "https://radio.example/art.png"
        assert _one(image, "title").text == _one(channel, "title").text
        items = channel.findall("item")
        assert items, path
        guids = [_one(item, "guid").text for item in items]
        assert len(set(guids)) == len(guids)
        for item in items:
            assert item.findtext("title") or item.findtext("description")
            assert _absolute(_one(item, "link").text)
            assert parsedate_to_datetime(_one(item, "pubDate").text).tzinfo
            for enclosure in item.findall("enclosure"):
                assert _absolute(enclosure.get("url")) and "/" in enclosure.get("type")
                assert int(enclosure.get("length")) > 0
        if "/kinds/audio/" in path:  # a podcast: every episode has its file
            assert all(item.find("enclosure") is not None for item in items)


def test_every_json_feed_holds_what_json_feed_1_1_requires(feeds):
    client, paths = feeds
    for path in paths:
        feed = json.loads(client.get(f"{path}.json").content)
        assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"]
        assert feed["feed_url"].endswith(f"{path}.json") and _absolute(feed["home_page_url"])
        assert feed["items"], path
        for item in feed["items"]:
            assert isinstance(item["id"], str) and _absolute(item["url"])
            assert item.get("content_html") or item.get("content_text")
            assert _rfc3339(item["date_published"]) and _rfc3339(item["date_modified"])
            for attachment in item.get("attachments", []):
                assert _absolute(attachment["url"]) and "/" in attachment["mime_type"]


def test_no_artwork_setting_means_no_image_elements(client, add_item):
    add_item("Dockers strike")
    channel = ET.fromstring(client.get("/en/feed.rss").content).find("channel")
    assert channel.find("image") is None and channel.find(f"{ITUNES}image") is None
