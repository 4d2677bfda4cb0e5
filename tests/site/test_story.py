"""A story's coverage page: the item and the near-duplicates the crawler linked to it,
published ones only, with every source that carried each, their tendencies, the
languages, first and latest; linked from each of its items."""

from __future__ import annotations

from datetime import UTC, datetime

from rabkor.core.store.models import Item, ItemSource, ItemStatus, Source


def test_a_story_told_by_three_sources(client, store, add_item):
    with store.transaction() as s:
        radio = Source(feed_url="https://radio.example/feed", title="Dock Workers' Radio",
                       category="Syndicalist")
        daily = Source(feed_url="https://daily.example/feed", title="La Izquierda Diario",
                       category="Trotskyist")
        mirror = Source(feed_url="https://mirror.example/feed", title="Port Mirror")
        s.add_all([radio, daily, mirror])
        s.flush()
        ids = radio.id, daily.id, mirror.id
    root = add_item("Dockers strike in Valparaíso", source_id=ids[0],
                    published=datetime(2025, 3, 2, tzinfo=UTC))
    copy = add_item("Huelga portuaria en Valparaíso", language="es", source_id=ids[1],
                    duplicate_of_id=root, published=datetime(2025, 3, 4, tzinfo=UTC))
    add_item("Still waiting", source_id=ids[1], duplicate_of_id=root,
             status=ItemStatus.PENDING)
    alone = add_item("Another story entirely")
    with store.transaction() as s:
        s.add(ItemSource(item_id=copy, source_id=ids[2]))  # the same article in a third feed
    page = client.get(f"/en/items/{copy}").text
    assert f'href="/en/items/{copy}/story"' in page and "2 items" in page
    assert "/story" not in client.get(f"/en/items/{alone}").text
    story = client.get(f"/en/items/{root}/story").text
    assert story.index("Dockers strike in Valparaíso") < story.index("Huelga portuaria")
    assert "Still waiting" not in story
    for said in ("Dock Workers&#39; Radio", "La Izquierda Diario", "Port Mirror",
                 "Syndicalist, Trotskyist", "English, Spanish", "2025-03-02", "2025-03-04"):
        assert said in story, said
    assert client.get(f"/en/items/{copy}/story").text.count("<article") == 2
    with store.transaction() as s:
        s.get(Item, root).status = ItemStatus.REJECTED
    assert client.get(f"/en/items/{root}/story").status_code == 404
