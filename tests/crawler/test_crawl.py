"""Whole crawls over real HTTP on loopback: real feeds stored once, hostile and broken
answers recorded on their sources, and the rest of the crawl unharmed."""

from datetime import timedelta

from sqlalchemy import func, select

from rabkor.core.store.models import Item, ItemStatus, MediaKind, Source, utcnow
from rabkor.crawler.run import crawl
from rabkor.crawler.sources.manage import add_source
from tests.crawler.conftest import add_feeds

GOOD = ["de/spiegel.xml", "ru/windows-1251.xml", "ur/bbc-urdu.xml", "zh/gb2312.xml",
        "en/jsonfeed.json", "media/youtube.xml", "media/bbc-in-our-time.xml"]


def _items(store, source_id=None):
    with store.read() as s:
        query = select(Item)
        if source_id is not None:
            query = query.where(Item.source_id == source_id)
        return list(s.scalars(query))


def _source(store, source_id) -> Source:
    with store.read() as s:
        return s.get(Source, source_id)


def test_crawl_stores_real_feeds_once_and_then_gets_304s(store, settings, feed_server):
    with store.transaction() as s:
        ids = [add_source(s, feed_server.url(path)).id for path in GOOD]
    calls = []
    before = utcnow()
    report = crawl(settings, store, progress=lambda done, total: calls.append((done, total)))

    assert report.errors == {} and report.sources_fetched == len(GOOD)
    items = _items(store)
    assert report.new_items == len(items) == 50 + 26 + 1 + 1 + 2 + 1 + 1
    assert {i.status for i in items} == {ItemStatus.PENDING}
    assert calls[0] == (0, len(GOOD)) and calls[-1] == (len(GOOD), len(GOOD))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    russian = _items(store, ids[1])
    assert "Цитата #17703" in {i.title for i in russian}
    languages = [i.language for i in russian]  # one quote is an English IRC chat
    assert languages.count("ru") >= len(languages) - 1 and set(languages) <= {"ru", "en"}
    [video] = _items(store, ids[5])
    assert (video.media_kind, video.url) == (
        MediaKind.VIDEO, "https://www.youtube.com/watch?v=0A1ouV7iD8o")
    [podcast] = _items(store, ids[6])
    assert (podcast.media_kind, podcast.duration_seconds) == (MediaKind.AUDIO, 3156)
    spiegel = _source(store, ids[0])
    assert spiegel.title == "SPIEGEL Update – Die Nachrichten"
    assert spiegel.site_url == "https://www.spiegel.de/thema/spiegel-update/"
    assert spiegel.etag and spiegel.error_count == 0 and spiegel.last_error is None
    assert spiegel.next_fetch_at >= before + timedelta(seconds=settings.crawl_interval)

    assert crawl(settings, store).sources == 0  # nothing is due yet
    again = crawl(settings, store, source_ids=ids)
    assert (again.not_modified, again.new_items, again.errors) == (len(GOOD), 0, {})
    assert len(_items(store)) == len(items)


def test_changed_feed_without_etag_adds_no_duplicates(store, settings, feed_server):
    [source_id] = add_feeds(store, feed_server.url("ur/bbc-urdu.xml"))
    crawl(settings, store)
    with store.transaction() as s:
        s.get(Source, source_id).etag = None  # as if the server had sent a new version
    report = crawl(settings, store, source_ids=[source_id])
    assert (report.sources_fetched, report.new_items) == (1, 0)
    assert len(_items(store)) == 26


def test_every_bad_answer_leaves_a_readable_error_and_spares_the_rest(
        store, settings, feed_server):
    bad = {"status/404": "HTTP 404 Not Found",
           "status/500": "HTTP 500 Internal Server Error",
           "html": "not a feed: the server sent an HTML page",
           "garbage": "not a feed: ",
           "empty": "not a feed: the body is empty",
           "endless": "body larger than 1 MB",
           "hang": "timed out after 2 s",
           "broken/invalid.xml": "not a feed: XML error at line 19: no element found"}
    bad_ids = add_feeds(store, *(feed_server.url(path) for path in bad))
    good_ids = add_feeds(store, feed_server.url("de/heise.atom"),
                         feed_server.url("es/lanacion.xml"))
    before = utcnow()
    report = crawl(settings, store)

    assert report.sources_fetched == 2 and report.new_items == 15 + 100
    assert len(_items(store, good_ids[0])) == 15 and len(_items(store, good_ids[1])) == 100
    for source_id, expected in zip(bad_ids, bad.values(), strict=True):
        source = _source(store, source_id)
        assert source.last_error.startswith(expected), (source.feed_url, source.last_error)
        assert report.errors[source_id] == source.last_error
        assert source.error_count == 1
        assert source.next_fetch_at >= before + timedelta(minutes=5)

    first_retry = _source(store, bad_ids[0]).next_fetch_at
    crawl(settings, store, source_ids=bad_ids[:1])
    source = _source(store, bad_ids[0])
    assert source.error_count == 2 and source.next_fetch_at > first_retry


def test_guard_refuses_private_and_unlisted_loopback_addresses_and_redirects_to_them(
        store, settings, feed_server, redirector):
    good = feed_server.url("zh/gb2312.xml")
    urls = {
        "http://10.0.0.1/feed": "address 10.0.0.1 is private and refused",
        "http://169.254.169.254/latest/meta-data/": "address 169.254.169.254 is link-local",
        f"http://127.0.0.1:{feed_server.port + 1}/feed": "address 127.0.0.1 is loopback",
        f"http://localhost:{feed_server.port + 1}/feed": "is loopback and refused",
        f"http://{redirector}/?to=http://10.0.0.1/feed": "address 10.0.0.1 is private",
        f"http://{redirector}/?to=file:///etc/passwd":
            "HTTP 302 Found: redirect to file:///etc/passwd not followed",
        "file:///etc/passwd": "only http and https URLs are fetched, not file:",
    }
    ids = add_feeds(store, *urls, f"http://{redirector}/?to={good}")
    report = crawl(settings, store)

    for source_id, expected in zip(ids, urls.values(), strict=False):
        assert expected in report.errors[source_id], report.errors[source_id]
        assert _items(store, source_id) == []
    assert report.sources_fetched == 1
    [item] = _items(store, ids[-1])
    assert item.url == "http://tech.qq.com/a/20180919/009008.htm"
    with store.read() as s:
        assert s.scalar(select(func.count(Item.id))) == 1
