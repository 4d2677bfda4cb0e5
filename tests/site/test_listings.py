"""The reader's listings over a store of thousands of items: order and cursors at every
page boundary, also while items are being published; each listing's items exactly; the
feeds (Atom, RSS with enclosures as a podcast feed, JSON Feed) read back by feedparser
and as JSON; the home page's featured items; the directory of organisations."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import feedparser
from sqlalchemy import insert, select

from rabkor.core.store.models import Item, ItemStatus, ItemTopic, Source, Topic
from rabkor.site import directory

START = datetime(2025, 3, 1, tzinfo=UTC)


def _store_items(store, n: int, *, offset: int = 0, source_ids=(None,)) -> None:
    """`n` approved items; every third shares its date with the one before (ties)."""
    rows = []
    for k in range(offset, offset + n):
        rows.append({
            "url": f"https://example.org/items/{k}", "title": f"Item {k}",
            "language": ("es", "ru", "en", "ar")[k % 4],
            "media_kind": ("article", "audio", "article", "video", "lecture")[k % 5],
            "status": "approved" if k % 7 else "pending",
            "published_at": START + timedelta(hours=k - (k % 3 == 2)),
            "source_id": source_ids[k % len(source_ids)],
            "enclosure_url": f"https://cdn.example.org/{k}.mp3" if k % 5 == 1 else None,
            "enclosure_type": "audio/mpeg" if k % 5 == 1 else None,
            "enclosure_length": 1_000_000 + k if k % 5 == 1 else None,
            "duration_seconds": 600 + k if k % 5 == 1 else None})
    with store.transaction() as s:
        s.execute(insert(Item), rows)


def _walk(client, url: str) -> list[int]:
    """Every item id of a listing, page by page through its cursors."""
    seen = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, url
        seen += [int(i) for i in re.findall(r'href="/en/items/(\d+)"', page.text)]
        found = re.search(r'rel="next" href="([^"]+)"', page.text)
        url = found.group(1).replace("&amp;", "&") if found else ""
    return seen


def _expected(store, *conditions) -> list[int]:
    with store.read() as s:
        return list(s.scalars(select(Item.id).where(
            Item.status == ItemStatus.APPROVED, *conditions)
            .order_by(Item.sort_at.desc(), Item.id.desc())))


def test_the_latest_in_order_through_every_page_boundary(client, store):
    _store_items(store, 2500)
    expected = _expected(store)
    assert len(expected) == 2142
    assert _walk(client, "/en/latest") == expected


def test_paging_while_items_are_published_skips_and_repeats_nothing(client, store):
    _store_items(store, 300)
    before = _expected(store)
    first = client.get("/en/latest").text
    seen = [int(i) for i in re.findall(r'href="/en/items/(\d+)"', first)]
    nxt = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    # newer items arrive at the top while the reader is on page one
    with store.transaction() as s:
        s.execute(insert(Item), [{"url": f"https://example.org/new/{k}", "title": f"New {k}",
                                  "status": "approved", "language": "en",
                                  "published_at": START + timedelta(days=400, minutes=k)}
                                 for k in range(30)])
    seen += _walk(client, nxt)
    assert seen == before  # each older item once, in order, none of the new ones mixed in


def test_each_listing_holds_exactly_its_items(client, store):
    with store.transaction() as s:
        s.add_all([Source(feed_url="https://a.example/feed", title="Dockers' Voice"),
                   Source(feed_url="https://b.example/feed", title="Nurses United")])
        s.flush()
        ids = [src.id for src in s.scalars(select(Source).order_by(Source.id))]
        topic = Topic(slug="strikes", names={"en": "Strikes", "es": "Huelgas", "de": "Streiks"})
        s.add(topic)
    _store_items(store, 400, source_ids=ids)
    with store.transaction() as s:
        topic = s.scalar(select(Topic))
        chosen = _expected(store, Item.language == "ru")[:30]
        s.execute(insert(ItemTopic), [{"item_id": i, "topic_id": topic.id} for i in chosen])
    assert _walk(client, "/en/topics/strikes") == chosen
    assert "Huelgas" in client.get("/es/topics").text
    assert _walk(client, f"/en/sources/{ids[1]}") == _expected(store, Item.source_id == ids[1])
    assert _walk(client, "/en/kinds/lecture") == _expected(store, Item.media_kind == "lecture")
    assert _walk(client, "/en/originally/ar") == _expected(store, Item.language == "ar")
    march = _walk(client, "/en/archive/2025/3")
    assert march == _expected(store, Item.sort_at < datetime(2025, 4, 1, tzinfo=UTC))
    archive = client.get("/en/archive").text
    assert "March 2025" in archive and f">{len(march)}<" in archive
    assert "marzo de 2025" in client.get("/es/archive").text  # Babel's month names
    for missing in ("/en/topics/nothing", "/en/kinds/pamphlet", "/en/archive/2025/13",
                    "/en/sources/999999", "/en/originally/English", "/en/latest?after=xyz",
                    "/en/kinds/audio/feed.pdf",
                    "/en/latest?after=" + base64.urlsafe_b64encode(
                        b"20250301000000000000." + b"9" * 30).decode()):  # id past int64
        assert client.get(missing).status_code == 404, missing


def test_the_audio_listing_is_a_podcast_feed(client, store):
    _store_items(store, 500)
    expected = _expected(store, Item.media_kind == "audio")[:50]
    rss = client.get("/en/kinds/audio/feed.rss")
    assert rss.headers["content-type"].startswith("application/rss+xml")
    parsed = feedparser.parse(rss.content)
    assert not parsed.bozo and parsed.version == "rss20"
    assert parsed.feed.language == "en" and b"<itunes:explicit>false<" in rss.content
    first = parsed.entries[0]
    assert [int(e.link.rsplit("/", 1)[1]) for e in parsed.entries] == expected
    [enclosure] = first.enclosures
    k = int(first.title.split()[1])
    assert (enclosure.href, enclosure.type, int(enclosure.length)) == (
        f"https://cdn.example.org/{k}.mp3", "audio/mpeg", 1_000_000 + k)
    assert first.itunes_duration == str(600 + k) and first.published_parsed
    atom = feedparser.parse(client.get("/en/kinds/audio/feed.atom").content)
    assert not atom.bozo and atom.version == "atom10"
    assert atom.entries[0].enclosures[0].href == enclosure.href
    feed = json.loads(client.get("/en/kinds/audio/feed.json").content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["items"][0]["attachments"][0] == {
        "url": enclosure.href, "mime_type": "audio/mpeg", "size_in_bytes": 1_000_000 + k,
        "duration_in_seconds": 600 + k}
    # the JSON feed names its next page, which continues the order
    assert feed["next_url"].startswith("http://127.0.0.1:8000/en/kinds/audio/feed.json?after=")
    following = json.loads(client.get(feed["next_url"].split(":8000", 1)[1]).content)
    ids = [int(i["id"].rsplit("/", 1)[1]) for i in feed["items"] + following["items"]]
    assert ids == _expected(store, Item.media_kind == "audio")[:len(ids)]


def test_the_old_feed_address_with_a_source_goes_to_the_sources_feed(client, store):
    response = client.get("/en/feed.atom?source=7", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (
        301, "/en/sources/7/feed.atom")


def test_the_home_page_puts_the_desks_featured_items_first(client, store):
    _store_items(store, 60)
    latest = _expected(store)
    with store.transaction() as s:
        s.get(Item, latest[40]).featured_order = 2
        s.get(Item, latest[30]).featured_order = 1
    page = client.get("/en/").text
    shown = [int(i) for i in re.findall(r'href="/en/items/(\d+)"', page)]
    assert shown[:2] == [latest[30], latest[40]]  # the desk's order
    assert shown[2:] == [i for i in latest[:20] if i not in (latest[30], latest[40])]
    assert page.index('id="featured-title"') < page.index('id="latest-title"')


def test_the_directory_groups_organisations_with_their_own_words(client, store):
    with store.transaction() as s:
        s.add_all([
            Source(feed_url="https://a.example/feed", title="Dockers' Voice",
                   category="Syndicalist", description="The paper of the port's rank and file.",
                   editorial_comment="Reliable on the port; read for the strikes."),
            Source(feed_url="https://b.example/feed", title="Red Nurses", category="Syndicalist"),
            Source(feed_url="https://c.example/feed", title="Tenants Now",
                   category="Housing movement")])
    page = client.get("/en/sources").text
    assert page.index("Housing movement") < page.index("Syndicalist")
    assert page.index("Dockers&#39; Voice") < page.index("Red Nurses")
    assert "The paper of the port&#39;s rank and file." in page
    with store.read() as s:
        dockers = s.scalar(select(Source.id).where(Source.title == "Dockers' Voice"))
    source = client.get(f"/en/sources/{dockers}").text
    assert "In their own words" in source and "Reliable on the port" in source
    assert f'href="/en/sources/{dockers}/feed.rss"' in source


def test_the_directory_by_language_and_a_big_group_page_by_page(client, store, monkeypatch):
    monkeypatch.setattr(directory, "GROUP_SHOWN", 3)
    monkeypatch.setattr(directory, "PAGE", 2)
    with store.transaction() as s:
        s.add_all([Source(feed_url=f"https://s{n}.example/feed", title=f"Sindicato {n}",
                          language="es", category="Syndicalist") for n in range(5)])
        s.add_all([Source(feed_url="https://fr.example/feed", title="Le Peuple", language="fr"),
                   Source(feed_url="https://off.example/feed", title="Gone quiet",
                          language="fr", enabled=False)])
    page = client.get("/en/sources?by=language").text
    assert page.index("French") < page.index("Spanish")
    assert "Le Peuple" in page and "Gone quiet" not in page  # neither read nor published
    assert [f"Sindicato {n}" in page for n in range(5)] == [True] * 3 + [False] * 2
    more = re.search(r'<a href="([^"]+)">All 5 sources', page)[1].replace("&amp;", "&")
    assert more == "/en/sources?by=language&group=es"
    seen = []
    url = more
    while url:
        group = client.get(url)
        assert group.status_code == 200
        seen += re.findall(r'dir="auto">(Sindicato \d)</a>', group.text)
        found = re.search(r'<a href="([^"]+)" rel="next"', group.text)
        url = found[1].replace("&amp;", "&") if found else None
    assert seen == [f"Sindicato {n}" for n in range(5)]
    assert client.get("/en/sources?by=language&group=es&after=bm9wZQ").status_code == 404
    assert client.get("/en/sources?by=colour").status_code == 404
    assert "All 5 sources" in client.get("/en/sources").text  # by tendency, the default


def test_a_sources_page_says_about_how_many_items_a_month(client, store, add_item):
    now = datetime.now(UTC)
    for days in (5, 20, 40, 50, 70, 80):
        add_item(f"Item {days}", published=now - timedelta(days=days))
    add_item("Long ago", published=now - timedelta(days=800))
    with store.read() as s:
        source_id = s.scalar(select(Source.id))
        assert directory.monthly_rate(s, source_id, now) == 2  # 6 items over ~2.6 months
    assert "about 2 a month" in client.get(f"/en/sources/{source_id}").text
