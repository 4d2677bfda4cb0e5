"""The Atom feed of each site language."""

from __future__ import annotations

import feedparser

from rabkor.core.store.models import ItemStatus


def test_feed_is_valid_atom_with_translated_titles(client, add_item):
    add_item("Dockers strike & win", translations={("title", "es"): "Huelga <y> victoria"})
    add_item("Not yet", status=ItemStatus.PENDING)
    response = client.get("/es/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == ["Huelga <y> victoria"]
    entry = feed.entries[0]
    assert "Traducido automáticamente del inglés" in entry.summary
    assert entry.link.startswith("http://127.0.0.1:8000/es/items/")  # from the settings


def test_english_feed_keeps_the_original_title(client, add_item):
    add_item("Dockers strike & win", translations={("title", "es"): "Huelga"})
    feed = feedparser.parse(client.get("/en/feed.atom").content)
    assert [e.title for e in feed.entries] == ["Dockers strike & win"]


def test_empty_feed_is_still_valid(client):
    feed = feedparser.parse(client.get("/de/feed.atom").content)
    assert not feed.bozo and feed.entries == []
