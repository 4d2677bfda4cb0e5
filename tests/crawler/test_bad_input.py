"""Every feed in tests/data/feeds, broken ones included, in one crawl over loopback: nothing
crashes, every source ends with items or a readable error, and what is stored is bounded
and clean (see tests/data/feeds/PROVENANCE.md for how each broken feed was made)."""

from __future__ import annotations

import re

from sqlalchemy import select

from rabkor.core.store.models import Item, ItemSource, Source, utcnow
from rabkor.crawler.parse.clean import MAX_TITLE
from rabkor.crawler.run import crawl
from tests.conftest import FEEDS
from tests.crawler.conftest import add_feeds

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json"}
# What the broken feeds must end as: an error that says what is wrong, or readable items.
ERRORS = {"broken/empty.xml": "not a feed: the body is empty",
          "broken/html-page.xml": "not a feed: the server sent an HTML page",
          "broken/invalid.xml": "not a feed: XML error at line 19"}
TITLES = {"broken/shift-jis.rdf": "記事1のタイトル",
          "broken/cp1251-declared-utf8.xml": "Цитата #17703",  # not "Öèòàòà"
          "broken/koi8r-undeclared.xml": "Цитата #17703",  # not "ãÉÔÁÔÁ"
          "broken/bom-declared-latin1.xml": "07.02. – die Wochenvorschau",
          "broken/truncated-heise.atom": "Java-Anwendungsserver: Red Hat"}
_control = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_mojibake = re.compile(r"[À-ÿ]{3}|\ufffd")  # Cyrillic read as Latin-1 or as nothing
_markup = re.compile(r"<[a-zA-Z][^>]*>|\bon\w+\s*=")


def test_every_feed_broken_or_not_ends_with_items_or_a_readable_error(store, settings,
                                                                      feed_server):
    paths = sorted(p.relative_to(FEEDS).as_posix() for p in FEEDS.rglob("*")
                   if p.suffix in FEED_SUFFIXES)
    assert len([p for p in paths if p.startswith("broken/")]) >= 14
    ids = dict(zip(add_feeds(store, *(feed_server.url(p) for p in paths)), paths, strict=True))
    report = crawl(settings.with_(max_feed_bytes=4 * 1024 * 1024), store)

    assert report.sources == len(paths)
    with store.read() as s:
        sources = {ids[src.id]: src for src in s.scalars(select(Source))}
        items = list(s.scalars(select(Item)))
        carried = s.execute(select(ItemSource.source_id, Item).join(Item)).tuples().all()
    by_source: dict[str, list[Item]] = {}  # a story several feeds carry counts for each
    for source_id, item in carried:
        by_source.setdefault(ids[source_id], []).append(item)
    for path, source in sources.items():
        if path in ERRORS:
            assert source.last_error.startswith(ERRORS[path]), (path, source.last_error)
        error = source.last_error
        assert by_source.get(path) or (error and len(error) <= 500 and "Traceback" not in error
                                       and not _control.search(error)), (path, error)
    for path, title in TITLES.items():
        assert any(i.title.startswith(title) for i in by_source[path]), path
    for path in ("broken/entity-bomb.rss", "broken/billion-laughs.atom",
                 "broken/deep-nesting.xml"):  # read, and no entity ever expanded
        assert len(by_source[path]) >= 15, path  # heise has 15 entries, the Guardian 55
        assert not any("x" * 1000 in i.summary or "lollol" in i.title + i.summary
                       for i in by_source[path]), path
    for path in ("broken/cp1251-declared-utf8.xml", "broken/koi8r-undeclared.xml"):
        assert any("кот немного пхп знает?" in i.summary for i in by_source[path]), path
        assert not any(_mojibake.search(i.title + i.summary) for i in by_source[path]), path

    now = utcnow()
    for item in items:
        assert 0 < len(item.title) <= MAX_TITLE, (ids[item.source_id], item.url)
        assert not _control.search(item.title) and not _markup.search(item.title), item.title
        assert item.published_at is None or item.published_at.year >= 1990
        assert item.published_at is None or item.published_at <= now
    gigantic = by_source["broken/gigantic-title.xml"]
    assert max(len(i.title) for i in gigantic) == MAX_TITLE
    # year 0 and 9999 are no dates: the item's other date (dc:date) or none at all
    assert any(i.published_at is None for i in by_source["broken/dates-0-and-9999.rss"])
    assert 0 < len(by_source["broken/no-links-or-titles.rss"]) < 55  # linkless ones skipped
