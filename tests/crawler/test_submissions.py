"""Correspondents' links made into items over real HTTP on loopback (crawler/submissions):
a real article page becomes a pending item with its note kept, a video page, an audio
file, a feed and a site's page are recognised (the feeds offered as sources), a real
PDF is read (a locked one, a scan and one past the size limit say why), a
link already stored (by URL, by a redirect, by its text) is linked to the stored story,
and a 500, an address the guard refuses and a page without an article fail with their
reason and keep the note. A submission withdrawn while it was fetched stays withdrawn."""

from __future__ import annotations

import gzip
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from rabkor.core import submissions
from rabkor.core.store.kinds import LinkKind, SubmissionStatus, utcnow
from rabkor.core.store.models import Item, ItemStatus, MediaKind, Source, Submission, Topic
from rabkor.crawler.analyse import dedupe
from rabkor.crawler.store.items import SUBMITTED
from rabkor.crawler.store.recent import SIZE, window
from rabkor.crawler.submissions.process import process_submissions
from rabkor.crawler.submissions.recognise import is_video_address, kind_by_type, youtube_video
from tests.crawler.test_pdf import LEMONDE, PDFS, TITLE, written
from tests.feedserver import FeedServer

DATA = Path(__file__).parent.parent / "data"
ARTICLES = DATA / "pages" / "articles"
S = SubmissionStatus

SITE_PAGE = (b'<!doctype html><html lang="en"><head><title>The Bulletin</title>'
             b'<link rel="alternate" type="application/rss+xml" href="/feed.xml" '
             b'title="Bulletin"></head><body><nav><a href="/">Home</a> '
             b'<a href="/about">About</a></nav></body></html>')
VIDEO_PAGE = (b'<!doctype html><html lang="en"><head><title>A strike, filmed</title>'
              b'<meta property="og:type" content="video">'
              b'<meta property="og:title" content="The dockers\' strike, filmed">'
              b'<meta property="og:image" content="https://peertube.example/thumb.jpg">'
              b'</head><body><p>Twenty minutes at the gates.</p></body></html>')
EPISODE_PAGE = (b'<!doctype html><html lang="en"><head><title>Episode 12</title>'
                b'<meta property="og:audio" content="https://cdn.example/ep12.mp3">'
                b'<meta property="og:audio:type" content="audio/mpeg">'
                b'</head><body><p>The twelfth episode.</p></body></html>')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedServer]:
    root = tmp_path_factory.mktemp("site")
    for name in ("bbc-1", "lemonde-1"):
        (root / f"{name}.html").write_bytes(gzip.decompress(
            (ARTICLES / f"{name}.html.gz").read_bytes()))
    shutil.copyfile(root / "bbc-1.html", root / "bbc-copy.html")  # the same story elsewhere
    # the same story edited as a republisher would: a few words changed
    (root / "lemonde-edited.html").write_bytes(
        (root / "lemonde-1.html").read_bytes().replace(b" le ", b" ce ", 3))
    shutil.copyfile(DATA / "feeds" / "en" / "guardian.rss", root / "feed.xml")
    (root / "bulletin.html").write_bytes(SITE_PAGE)
    (root / "video.html").write_bytes(VIDEO_PAGE)
    (root / "episode.html").write_bytes(EPISODE_PAGE)
    (root / "talk.mp3").write_bytes(b"ID3\x03" + bytes(5000))
    shutil.copyfile(PDFS / "lemonde-1.pdf", root / "paper.pdf")
    shutil.copyfile(PDFS / "lemonde-1-scan.pdf", root / "scan.pdf")
    (root / "locked.pdf").write_bytes(written(LEMONDE, lambda w: w.encrypt("secret")))
    (root / "huge.pdf").write_bytes(LEMONDE + bytes(1024 * 1024))  # past the test's 1 MB
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (root / "empty.html").write_bytes(b"<html><body><nav>Home</nav></body></html>")
    server = FeedServer(root)
    yield server
    server.close()


@pytest.fixture
def settings(settings, site, redirector):
    return settings.with_(allowed_loopback=(*settings.allowed_loopback, site.hostport))


def submit(store, url: str, note: str = "read this", **fields) -> int:
    with store.transaction() as s:
        sub = submissions.received(Submission(url=url, note=note, **fields))
        s.add(sub)
        s.flush()
        return sub.id


def fetched(store, sub_id: int) -> Submission:
    with store.read() as s:
        sub = s.get(Submission, sub_id)
        s.expunge(sub)
        return sub


def test_a_real_article_becomes_a_pending_item_with_the_note(settings, store, site):
    with store.transaction() as s:
        s.add(Topic(slug="guns", names={"en": "Gun laws"}))
    sub_id = submit(store, site.url("bbc-1.html"), note="Obama on guns", language="en",
                    topic="gun laws")
    report = process_submissions(settings, store)
    assert (report.items, report.failed) == (1, 0)
    sub = fetched(store, sub_id)
    assert sub.status is S.FETCHED and sub.kind is LinkKind.ARTICLE
    assert sub.note == "Obama on guns" and sub.attempts == 1 and sub.error is None
    with store.read() as s:
        item = s.get(Item, sub.item_id)
        assert item.submission_id == sub_id and item.source_id is None
        assert item.status is ItemStatus.PENDING
        assert item.title == "Obama admits US gun laws are his 'biggest frustration'"
        assert "Nearly 90 Americans are killed" in item.content or len(item.content) > 2000
        assert item.published_at.date().isoformat() == "2015-07-24"
        assert item.language == "en" and item.simhash is not None
        assert [t.slug for t in item.topics] == ["guns"]
        history = [(e.status, e.detail) for e in s.get(Submission, sub_id).events]
    assert history == [(S.RECEIVED, ""), (S.FETCHED, str(item.id))]


def test_the_same_link_again_and_its_copy_elsewhere_are_duplicates(settings, store, site):
    first = submit(store, site.url("bbc-1.html"))
    process_submissions(settings, store)
    item_id = fetched(store, first).item_id
    again = submit(store, site.url("bbc-1.html") + "?utm_source=x")  # the canonical URL
    copy = submit(store, site.url("bbc-copy.html"))  # another address, the same text
    report = process_submissions(settings, store)
    assert (report.duplicates, report.items) == (2, 0)
    for sub_id in (again, copy):
        sub = fetched(store, sub_id)
        assert (sub.status, sub.item_id) == (S.DUPLICATE, item_id)
    assert fetched(store, again).attempts == 1  # settled without a fetch
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Item)) == 1


def test_a_near_copy_of_a_submitted_item_older_than_the_newest_is_a_duplicate(
        settings, any_store, site):
    """The store's band lookup, not only the window of the newest items, finds it."""
    first = submit(any_store, site.url("lemonde-1.html"))
    process_submissions(settings, any_store)
    old = fetched(any_store, first).item_id
    with any_store.transaction() as s:  # newer items of no source push it out of the window
        others = random.Random(15)
        far = [others.getrandbits(64) - 2**63 for _ in range(SIZE)]
        s.execute(insert(Item), [
            {"url": f"https://other.example/{n}", "canonical_url": f"https://other.example/{n}",
             "title": f"Other {n}", "fetched_at": utcnow(), "simhash": f,
             **{f"simhash_band{b}": v for b, v in enumerate(dedupe.bands(f))}}
            for n, f in enumerate(far)])
    with any_store.read() as s:
        assert old not in window(s).others(s, SUBMITTED)[:, 0]
    copy = submit(any_store, site.url("lemonde-edited.html"))
    report = process_submissions(settings, any_store)
    assert (report.duplicates, report.items) == (1, 0), report.errors
    assert (fetched(any_store, copy).status, fetched(any_store, copy).item_id) == (
        S.DUPLICATE, old)


def test_a_link_a_feed_brought_in_already_is_a_duplicate(settings, store, site):
    url = site.url("lemonde-1.html")
    with store.transaction() as s:
        source = Source(feed_url=site.url("feed.xml"))
        s.add(source)
        s.flush()
        item = Item(source_id=source.id, url=url, canonical_url=url.replace("http:", "https:"),
                    title="Le Monde")
        s.add(item)
        s.flush()
        item_id = item.id
    sub_id = submit(store, url)
    process_submissions(settings, store)
    assert (fetched(store, sub_id).status, fetched(store, sub_id).item_id) == (
        S.DUPLICATE, item_id)


@pytest.mark.parametrize(("path", "kind", "media"), [
    ("video.html", LinkKind.VIDEO, MediaKind.VIDEO),
    ("episode.html", LinkKind.AUDIO, MediaKind.AUDIO),
    ("talk.mp3", LinkKind.AUDIO, MediaKind.AUDIO),
])
def test_videos_and_audio_become_items_of_their_kind(settings, store, site, path, kind,
                                                          media):
    sub_id = submit(store, site.url(path))
    process_submissions(settings, store)
    sub = fetched(store, sub_id)
    assert (sub.status, sub.kind) == (S.FETCHED, kind), sub.error
    with store.read() as s:
        item = s.get(Item, sub.item_id)
        assert item.media_kind is media
        if path == "video.html":
            assert item.title == "The dockers' strike, filmed"
            assert item.image_url == "https://peertube.example/thumb.jpg"
        if path == "episode.html":
            assert (item.enclosure_url, item.enclosure_type) == (
                "https://cdn.example/ep12.mp3", "audio/mpeg")
        if path == "talk.mp3":  # linked to, not downloaded
            assert item.enclosure_url == site.url(path) and item.title == path
            assert item.enclosure_length == 5004


def test_a_pdf_is_read_into_an_item_that_links_to_it(settings, store, site):
    sub_id = submit(store, site.url("paper.pdf"), note="the law, as voted")
    report = process_submissions(settings, store)
    sub = fetched(store, sub_id)
    assert (report.items, sub.status, sub.kind) == (1, S.FETCHED, LinkKind.PDF), sub.error
    with store.read() as s:
        item = s.get(Item, sub.item_id)
        assert (item.title, item.language, item.media_kind) == (TITLE, "fr",
                                                                 MediaKind.ARTICLE)
        assert (item.enclosure_url, item.enclosure_type, item.enclosure_length) == (
            site.url("paper.pdf"), "application/pdf", len(LEMONDE))
        assert item.published_at.date().isoformat() == "2026-12-02"
        assert "Sergio Coronado" in item.content and item.content.count("<p>") > 10
        assert item.simhash is not None and sub.note == "the law, as voted"


@pytest.mark.parametrize(("path", "kind", "feeds"), [
    ("feed.xml", LinkKind.FEED, ["feed.xml"]),
    ("bulletin.html", LinkKind.SITE, ["feed.xml"]),
])
def test_feeds_and_sites_with_feeds_are_offered_as_sources(settings, store, site, path,
                                                           kind, feeds):
    sub_id = submit(store, site.url(path))
    report = process_submissions(settings, store)
    sub = fetched(store, sub_id)
    assert report.offered == 1
    assert (sub.status, sub.kind, sub.item_id) == (S.FETCHED, kind, None)
    assert sub.feeds == [site.url(f) for f in feeds]


def test_an_article_of_a_site_with_feeds_names_them_too(settings, store, site):
    assert kind_by_type("text/html") is None
    sub_id = submit(store, site.url("bbc-1.html"))
    process_submissions(settings, store)
    sub = fetched(store, sub_id)
    assert sub.kind is LinkKind.ARTICLE and sub.feeds == []  # the BBC page names none


@pytest.mark.parametrize(("url", "reason"), [
    ("status/500", "HTTP 500 Internal Server Error"),
    ("status/404", "HTTP 404 Not Found"),
    ("empty.html", "no article text found on the page"),
    ("logo.png", "not a web page, a feed or a media file (image/png)"),
    ("scan.pdf", "the PDF has no text layer (a scan?)"),
    ("locked.pdf", "the PDF is locked with a password"),
    ("huge.pdf", "body larger than 1 MB"),
    ("http://127.0.0.1:9/secret", "address 127.0.0.1 is loopback and refused"),
    ("http://10.0.0.1:9/", "address 10.0.0.1 is private and refused"),
])
def test_failures_keep_a_readable_reason_and_the_note(settings, store, site, feed_server,
                                                      url, reason):
    if url.startswith("status/"):
        url = feed_server.url(url)
    elif not url.startswith("http"):
        url = site.url(url)
    sub_id = submit(store, url, note="the union's statement ‮ reversed")
    report = process_submissions(settings, store)
    sub = fetched(store, sub_id)
    assert report.failed == 1 and sub.status is S.FAILED
    assert reason in sub.error and "Error(" not in sub.error
    assert sub.note == "the union's statement ‮ reversed" and sub.item_id is None
    with store.transaction() as s:  # the editors retry it: fetched again next time
        submissions.move(s.get(Submission, sub_id), submissions.Event.RETRY)
    process_submissions(settings, store)
    assert fetched(store, sub_id).attempts == 2


def test_a_submission_withdrawn_during_its_fetch_stays_withdrawn(settings, store, site,
                                                                 monkeypatch):
    from rabkor.crawler.submissions import process

    sub_id = submit(store, site.url("lemonde-1.html"))
    real = process._answer

    def withdraw_then_answer(http, job, settings):
        with store.transaction() as s:
            submissions.move(s.get(Submission, sub_id), submissions.Event.WITHDRAWN)
        return real(http, job, settings)

    monkeypatch.setattr(process, "_answer", withdraw_then_answer)
    process_submissions(settings, store)
    assert fetched(store, sub_id).status is S.WITHDRAWN
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Item)) == 0


@pytest.mark.parametrize(("url", "video"), [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"),
    ("https://youtu.be/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
    ("https://m.youtube.com/shorts/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
    ("https://www.youtube.com/watch?v=short", None),
    ("https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ", None),
])
def test_youtube_addresses(url, video):
    assert youtube_video(url) == video
    assert is_video_address(url) is (video is not None)


@pytest.mark.parametrize(("url", "video"), [
    ("https://peertube.example/w/kkGMgK9ZtnKfYAgnEtQxbv", True),
    ("https://tube.example/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d", True),
    ("https://blog.example/w/", False),
    ("https://blog.example/videos/watch/everything", False),
])
def test_peertube_addresses(url, video):
    assert is_video_address(url) is video
