"""Crash safety: a crawl killed with SIGKILL mid-way leaves only whole sources behind (each
source's items and fetch state are one transaction), and a re-run completes the rest
without a single duplicate; article pages that a killed crawl never got are fetched by the
next crawl of their sources."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from rabkor.core.store.models import Item, Source, utcnow
from rabkor.crawler.run import crawl
from tests.crawler.conftest import add_feeds

FEEDS, ITEMS = 200, 5
ARTICLES = Path(__file__).parents[1] / "data" / "pages" / "articles"
PAGES = ("folha", "heise", "aktualne", "bbc-1", "lemonde-1")  # real article pages
SUMMARY_FEEDS = 8


@pytest.fixture
def farm() -> Iterator[dict]:
    """200 generated feeds on two loopback hosts, each answer 0.1 s late (bench.crawl.farm)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.crawl.farm", "--feeds", str(FEEDS), "--items",
         str(ITEMS), "--delay", "0.1", "--hosts", "2"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    yield json.loads(proc.stdout.readline())
    proc.stdin.close()
    proc.wait(timeout=10)


class HeldPages:
    """Summary-only feeds on 127.0.0.1 whose entries link to real article pages on
    127.0.0.2 (another host: held pages do not hold the feeds back); the pages answer only
    once `release` is set. Feeds carry an ETag and answer 304 when it still matches."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.pages_asked = 0
        when = format_datetime(utcnow())
        handler = self._handler()
        self.feed_server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.page_server = ThreadingHTTPServer(("127.0.0.2", 0), handler)
        page_host = self.hostport(self.page_server)
        self.feeds = {
            n: ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
                f"<title>Summaries {n}</title><link>http://example.org/</link>"
                + "".join(f"<item><title>{name} ({n})</title><link>http://{page_host}/"
                          f"articles/{name}?feed={n}</link><pubDate>{when}</pubDate>"
                          "<description>Only a summary.</description></item>"
                          for name in PAGES)
                + "</channel></rss>").encode() for n in range(SUMMARY_FEEDS)}
        for server in (self.feed_server, self.page_server):
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @staticmethod
    def hostport(server: ThreadingHTTPServer) -> str:
        return f"{server.server_address[0]}:{server.server_address[1]}"

    def feed_urls(self) -> list[str]:
        return [f"http://{self.hostport(self.feed_server)}/feed/{n}.xml" for n in self.feeds]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path.startswith("/feed/"):
                    body = site.feeds[int(path[6:].removesuffix(".xml"))]
                    etag = f'"{hashlib.sha1(body).hexdigest()}"'
                    if self.headers.get("If-None-Match") == etag:
                        self._send(304, b"", etag=etag)
                    else:
                        self._send(200, body, "application/rss+xml", etag)
                elif path.startswith("/articles/"):
                    site.pages_asked += 1
                    site.release.wait(60)
                    page = ARTICLES / f"{path[10:]}.html.gz"
                    self._send(200, gzip.decompress(page.read_bytes()), "text/html")
                else:
                    self._send(404, b"")

            def _send(self, status: int, body: bytes, ctype: str = "text/plain",
                      etag: str = "") -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    if etag:
                        self.send_header("ETag", etag)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the killed crawler's connections are gone
                    pass

        return Handler

    def close(self) -> None:
        self.release.set()
        for server in (self.feed_server, self.page_server):
            server.shutdown()
            server.server_close()


@pytest.fixture
def held_pages() -> Iterator[HeldPages]:
    site = HeldPages()
    yield site
    site.close()


def _counts(store) -> tuple[int, int]:
    with store.read() as s:
        fetched = s.scalar(select(func.count()).where(Source.last_fetched_at.is_not(None)))
        return fetched, s.scalar(select(func.count(Item.id)))


def test_a_killed_crawl_keeps_whole_sources_and_a_rerun_adds_no_duplicates(
        store, settings, farm, tmp_path):
    settings = settings.with_(allowed_loopback=tuple(farm["hosts"]), fetch_timeout=30.0)
    add_feeds(store, *farm["urls"])
    env = {**os.environ, "RABKOR_DATA_DIR": str(settings.data_dir),
           "RABKOR_ALLOWED_LOOPBACK": ",".join(farm["hosts"]),
           "RABKOR_FETCH_TIMEOUT": "30", "RABKOR_CONFIG": str(tmp_path / "none.toml")}
    crawler = subprocess.Popen([sys.executable, "-m", "rabkor.app.cli", "crawl"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)  # its Scrapy child too
    deadline = time.monotonic() + 60
    while _counts(store)[0] < FEEDS // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(crawler.pid, signal.SIGKILL)
    crawler.wait()

    fetched_before, items_before = _counts(store)
    assert FEEDS // 4 <= fetched_before < FEEDS, "the kill did not land mid-crawl"
    with store.read() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        for source in s.scalars(select(Source)):
            stored = s.scalar(select(func.count(Item.id)).where(Item.source_id == source.id))
            if source.last_fetched_at is None:  # untouched: no items, no half state
                assert (stored, source.etag, source.next_fetch_at) == (0, None, None)
            else:  # whole: every item, its validators, its next fetch
                assert source.last_error is None and stored == ITEMS
                assert source.etag and source.next_fetch_at and source.items_per_day
    assert items_before == fetched_before * ITEMS

    report = crawl(settings, store)
    assert report.sources == FEEDS - fetched_before  # the stored ones are not due again
    assert report.errors == {} and report.new_items == (FEEDS - fetched_before) * ITEMS
    with store.read() as s:
        assert s.scalar(select(func.count(Item.id))) == FEEDS * ITEMS
        distinct = select(Item.source_id, Item.guid).distinct().subquery()
        assert s.scalar(select(func.count()).select_from(distinct)) == FEEDS * ITEMS
        assert s.scalar(select(func.count()).where(Source.last_fetched_at.is_(None))) == 0


def test_pages_a_killed_crawl_never_got_are_fetched_by_the_next_one(
        store, settings, held_pages, tmp_path):
    hosts = tuple(HeldPages.hostport(x) for x in (held_pages.feed_server,
                                                  held_pages.page_server))
    sources = add_feeds(store, *held_pages.feed_urls())
    env = {**os.environ, "RABKOR_DATA_DIR": str(settings.data_dir),
           "RABKOR_ALLOWED_LOOPBACK": ",".join(hosts), "RABKOR_FULL_TEXT_PAGES": "20",
           "RABKOR_CONFIG": str(tmp_path / "none.toml")}
    crawler = subprocess.Popen([sys.executable, "-m", "rabkor.app.cli", "crawl"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while (_counts(store)[0] < SUMMARY_FEEDS or not held_pages.pages_asked) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(crawler.pid, signal.SIGKILL)  # every feed stored, its pages on their way
    crawler.wait()

    with store.read() as s:
        items = s.scalars(select(Item)).all()
    assert len(items) == SUMMARY_FEEDS * len(PAGES) and held_pages.pages_asked
    assert {(i.content, i.extraction_error, i.page_attempts) for i in items} == {("", None, 0)}

    held_pages.release.set()
    report = crawl(settings.with_(allowed_loopback=hosts, full_text_pages=20), store,
                   source_ids=sources)
    assert report.errors == {} and report.not_modified == SUMMARY_FEEDS  # feeds unchanged
    with store.read() as s:
        items = s.scalars(select(Item)).all()
    assert len(items) == SUMMARY_FEEDS * len(PAGES)
    for item in items:
        assert item.extraction_error is None and item.page_attempts is None
        assert len(item.content) > 1000 and item.summary == "Only a summary."
