"""Politeness over real HTTP: conditional GETs with both validators, compression (bounded
after decompression), robots.txt, per-host concurrency, bounded redirects, and the
server's Cache-Control and Retry-After honoured in the schedule."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rabkor.core.store.models import Item, Source, utcnow
from rabkor.crawler.run import crawl
from tests.crawler.conftest import add_feeds
from tests.net import free_port

FEED = (Path(__file__).parents[1] / "data" / "feeds" / "de" / "heise.atom").read_bytes()
ETAG, LAST_MODIFIED = '"heise-1"', "Wed, 19 Sep 2018 10:00:00 GMT"
BOMB = gzip.compress(b"<rss><channel><title>" + b" " * (20 * 1024 * 1024), 9)
SLOW = 0.3


class _Polite(BaseHTTPRequestHandler):
    """Records what crawlers send; serves one real feed in several polite and rude ways."""

    requests: list[tuple[str, dict[str, str]]]
    lock: threading.Lock
    in_flight = 0
    most_in_flight = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        with self.lock:
            self.requests.append((self.path, dict(self.headers)))
        if self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif self.path.startswith("/loop/"):
            self._redirect(f"/loop/{int(self.path.rsplit('/', 1)[1]) + 1}")
        elif self.path == "/busy.xml":
            self._send(429, b"slow down", "text/plain", {"Retry-After": "7200"})
        elif self.path == "/bomb.xml":
            self._send(200, BOMB, "application/rss+xml", {"Content-Encoding": "gzip"})
        elif self.path.startswith("/slow/"):
            self._slow()
        else:
            self._feed()

    def _feed(self) -> None:
        if self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.send_header("Cache-Control", "max-age=7200")
            self.end_headers()
            return
        extra = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED, "Cache-Control": "max-age=7200"}
        body = FEED
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            body, extra["Content-Encoding"] = gzip.compress(FEED), "gzip"
        self._send(200, body, "application/atom+xml", extra)

    def _slow(self) -> None:
        cls = type(self)
        with self.lock:
            cls.in_flight += 1
            cls.most_in_flight = max(cls.most_in_flight, cls.in_flight)
        time.sleep(SLOW)
        with self.lock:
            cls.in_flight -= 1
        name = self.path.rsplit("/", 1)[1]
        self._send(200, f"<rss version='2.0'><channel><title>{name}</title><item><title>x"
                        f"</title><link>https://example.org/{name}</link></item></channel>"
                        "</rss>".encode(), "application/rss+xml")

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def polite() -> Iterator[tuple[str, type[_Polite]]]:
    handler = type("Handler", (_Polite,), {"requests": [], "lock": threading.Lock()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def polite_settings(settings, polite):
    return settings.with_(allowed_loopback=(*settings.allowed_loopback, polite[0]))


def _source(store, source_id) -> Source:
    with store.read() as s:
        return s.get(Source, source_id)


def test_conditional_compressed_fetch_and_max_age(store, polite_settings, polite):
    host, handler = polite
    [source_id] = add_feeds(store, f"http://{host}/feed.xml")
    before = utcnow()
    assert crawl(polite_settings, store).new_items == 15
    source = _source(store, source_id)
    assert (source.etag, source.last_modified) == (ETAG, LAST_MODIFIED)
    assert source.next_fetch_at >= before + timedelta(hours=2)  # max-age=7200 honoured

    report = crawl(polite_settings, store, source_ids=[source_id])
    assert report.not_modified == 1
    feeds = [headers for path, headers in handler.requests if path == "/feed.xml"]
    assert {"gzip", "deflate", "br"} <= {e.strip() for e in
                                         feeds[0]["Accept-Encoding"].split(",")}
    assert "If-None-Match" not in feeds[0]
    assert (feeds[1]["If-None-Match"], feeds[1]["If-Modified-Since"]) == (ETAG, LAST_MODIFIED)
    assert [path for path, _ in handler.requests].count("/robots.txt") == 2  # once a crawl


def test_robots_bombs_redirect_loops_and_retry_after(store, polite_settings, polite):
    host, _ = polite
    urls = {"/private/feed.xml": "disallowed by robots.txt",
            "/bomb.xml": "body larger than 1 MB after decompression",
            "/loop/0": "more than 5 redirects",
            "/busy.xml": "HTTP 429 Too Many Requests"}
    ids = add_feeds(store, *(f"http://{host}{path}" for path in urls))
    before = utcnow()
    report = crawl(polite_settings, store)
    assert report.errors == dict(zip(ids, urls.values(), strict=True))
    with store.read() as s:
        assert s.scalar(select(func.count(Item.id))) == 0
    busy = _source(store, ids[-1])
    assert busy.next_fetch_at >= before + timedelta(hours=2)  # Retry-After: 7200 honoured


def test_one_host_gets_at_most_four_requests_at_once(store, polite_settings, polite):
    host, handler = polite
    add_feeds(store, *(f"http://{host}/slow/{n}.xml" for n in range(12)))
    report = crawl(polite_settings, store)
    assert (report.sources_fetched, report.new_items) == (12, 12)
    assert 2 <= handler.most_in_flight <= 4


def test_an_unreachable_robots_txt_is_one_quiet_line(store, settings, capfd):
    """Nobody listens: the source gets a readable error, the log no ERROR traceback."""
    host = f"127.0.0.1:{free_port()}"
    settings = settings.with_(allowed_loopback=(*settings.allowed_loopback, host))
    [source_id] = add_feeds(store, f"http://{host}/feed.xml")
    report = crawl(settings, store, log_level="INFO")
    assert report.errors == {source_id: "connection refused"}
    log = capfd.readouterr().err.splitlines()
    robots = [line for line in log if "robots.txt" in line]
    assert len(robots) == 1 and " INFO: " in robots[0], log
    assert not [line for line in log if " ERROR: " in line or "Traceback" in line], log
    assert not [line for line in log if "Remote control HTTP server" in line]  # kept off
