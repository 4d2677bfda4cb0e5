"""WebSub end to end against a real local hub: subscribe, verify, signed pushes stored."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
import uvicorn

from rabkor.core.store.models import Item, Source
from rabkor.core.web.server import create_app
from rabkor.crawler.parse import parse_feed
from rabkor.crawler.run import crawl
from rabkor.crawler.websub import advertised_hub, signature_valid, subscribe_due
from tests.feedserver import FeedServer
from tests.net import free_port, served, wait_for

DATA = Path(__file__).parents[1] / "data"
ATOM = (DATA / "discovery" / "feeds" / "main").read_bytes()  # Daring Fireball, Atom
PUSHED = (DATA / "feeds" / "en" / "guardian.rss").read_bytes()  # 55 other items


class Hub:
    """A small WebSub hub: takes subscriptions, verifies them, and pushes signed content."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.verified: dict[str, dict[str, str]] = {}  # callback → subscription
        self.answers: list[tuple[int, str]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(size).decode()).items()}
                hub.requests.append(form)
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()
                threading.Thread(target=hub.verify, args=(form,), daemon=True).start()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.hostport = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def verify(self, form: dict[str, str]) -> None:
        """The intent verification the spec asks for: GET the callback with a challenge."""
        challenge = "challenge-" + form["hub.topic"][-8:]
        query = urlencode({"hub.mode": form["hub.mode"], "hub.topic": form["hub.topic"],
                           "hub.challenge": challenge, "hub.lease_seconds": "86400"})
        answer = httpx.get(f"{form['hub.callback']}?{query}")
        self.answers.append((answer.status_code, answer.text))
        if answer.status_code == 200 and answer.text == challenge:
            self.verified[form["hub.callback"]] = form

    def push(self, callback: str, body: bytes, *, method: str = "sha256",
             secret: str | None = None) -> httpx.Response:
        key = (secret or self.verified[callback]["hub.secret"]).encode()
        signature = hmac.new(key, body, getattr(hashlib, method)).hexdigest()
        return httpx.post(callback, content=body, headers={
            "Content-Type": "application/rss+xml", "X-Hub-Signature": f"{method}={signature}"})

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hub() -> Iterator[Hub]:
    hub = Hub()
    yield hub
    hub.close()


@pytest.fixture
def web_port() -> int:
    return free_port()


@pytest.fixture
def settings(settings, hub, web_port, tmp_path):
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    hub_link = f'<link rel="hub" href="http://{hub.hostport}/"/>'.encode()
    (feeds / "main.atom").write_bytes(ATOM.replace(b"<title>", hub_link + b"<title>", 1))
    return settings.with_(public_url=f"http://127.0.0.1:{web_port}",
                          allowed_loopback=(*settings.allowed_loopback, hub.hostport))


@pytest.fixture
def web(settings, store, web_port) -> Iterator[str]:
    with served(create_app(settings, store), web_port):
        yield settings.public_url


@pytest.fixture
def hub_feed(tmp_path) -> Iterator[FeedServer]:
    server = FeedServer(tmp_path / "feeds")
    yield server
    server.close()


def count_items(store, source_id: int) -> int:
    with store.read() as s:
        return s.query(Item).filter_by(source_id=source_id).count()


def subscribed_source(store, settings, hub, url: str) -> tuple[int, str]:
    """A source whose feed names the hub, subscribed and verified: (id, callback)."""
    with store.transaction() as s:
        source = Source(feed_url=url, websub_hub=f"http://{hub.hostport}/",
                        websub_topic=url)
        s.add(source)
        s.flush()
        source_id = source.id
    assert subscribe_due(settings, store) == 1
    callback = f"{settings.public_url}/websub/{source_id}"
    assert wait_for(lambda: callback in hub.verified)
    return source_id, callback


def test_crawl_subscribes_and_pushed_items_are_stored_within_seconds(
        settings, store, web, hub, hub_feed):
    settings = settings.with_(allowed_loopback=(*settings.allowed_loopback, hub_feed.hostport))
    with store.transaction() as s:
        s.add(Source(feed_url=hub_feed.url("main.atom")))
    crawl(settings, store)  # the feed names the hub: the crawl ends by subscribing
    [form] = hub.requests
    with store.read() as s:
        source = s.query(Source).one()
        assert (form["hub.mode"], form["hub.topic"], form["hub.callback"]) == (
            "subscribe", "https://daringfireball.net/feeds/main",
            f"{web}/websub/{source.id}")
        assert form["hub.secret"] == source.websub_secret and len(form["hub.secret"]) == 64
        source_id, before = source.id, count_items(store, source.id)
    assert wait_for(lambda: form["hub.callback"] in hub.verified)
    with store.read() as s:
        source = s.get(Source, source_id)
        assert source.websub_state == "active"
        assert 86300 < (source.websub_lease_expires_at - source.websub_requested_at
                       ).total_seconds() < 86500
    started = time.monotonic()
    assert hub.push(form["hub.callback"], PUSHED).status_code == 204
    assert wait_for(lambda: count_items(store, source_id) == before + 55)
    assert time.monotonic() - started < 5
    assert hub.push(form["hub.callback"], PUSHED, method="sha512").status_code == 204
    assert count_items(store, source_id) == before + 55  # the same push twice: no duplicates
    assert subscribe_due(settings, store) == 0  # active, lease far from its end


def test_bad_signatures_are_refused_and_store_nothing(settings, store, web, hub):
    source_id, callback = subscribed_source(store, settings, hub, "https://e.org/feed")
    assert hub.push(callback, PUSHED, secret="not-the-secret").status_code == 403
    unsigned = httpx.post(callback, content=PUSHED)
    assert unsigned.status_code == 403
    with store.read() as s:
        secret = s.get(Source, source_id).websub_secret
    md5 = hmac.new(secret.encode(), PUSHED, hashlib.md5).hexdigest()
    assert httpx.post(callback, content=PUSHED,
                      headers={"X-Hub-Signature": f"md5={md5}"}).status_code == 403
    assert count_items(store, source_id) == 0
    assert hub.push(callback, PUSHED, method="sha1").status_code == 204
    assert count_items(store, source_id) == 55


def test_oversized_pushes_are_refused(settings, store, hub, web_port):
    settings = settings.with_(max_feed_bytes=len(PUSHED) - 1)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store), host="127.0.0.1",
                                           port=web_port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: server.started, 10)
        source_id, callback = subscribed_source(store, settings, hub, "https://e.org/feed")
        assert hub.push(callback, PUSHED).status_code == 413
        assert count_items(store, source_id) == 0
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_unsolicited_verifications_are_refused(settings, store, web):
    with store.transaction() as s:
        source = Source(feed_url="https://e.org/feed", websub_hub="https://hub.example/",
                        websub_topic="https://e.org/feed")
        s.add(source)
        s.flush()
        source_id = source.id
    query = {"hub.mode": "subscribe", "hub.topic": "https://e.org/feed",
             "hub.challenge": "abc", "hub.lease_seconds": "3600"}
    assert httpx.get(f"{web}/websub/{source_id}", params=query).status_code == 404  # not asked
    assert httpx.get(f"{web}/websub/999", params=query).status_code == 404  # no such source
    with store.transaction() as s:
        s.get(Source, source_id).websub_state = "pending"
    wrong_topic = {**query, "hub.topic": "https://evil.example/feed"}
    assert httpx.get(f"{web}/websub/{source_id}", params=wrong_topic).status_code == 404
    assert httpx.get(f"{web}/websub/{source_id}",
                     params={**query, "hub.mode": "unsubscribe"}).status_code == 404
    answer = httpx.get(f"{web}/websub/{source_id}", params=query)
    assert (answer.status_code, answer.text) == (200, "abc")
    with store.read() as s:
        assert s.get(Source, source_id).websub_state == "active"


def test_a_hub_the_guard_refuses_is_not_contacted(settings, store, hub):
    settings = settings.with_(allowed_loopback=())
    with store.transaction() as s:
        s.add(Source(feed_url="https://e.org/feed", websub_hub=f"http://{hub.hostport}/",
                     websub_topic="https://e.org/feed"))
    assert subscribe_due(settings, store) == 0
    assert hub.requests == []
    with store.read() as s:
        assert s.query(Source).one().websub_state == "failed"


def test_no_public_url_no_subscription(settings, store, hub):
    with store.transaction() as s:
        s.add(Source(feed_url="https://e.org/feed", websub_hub=f"http://{hub.hostport}/",
                     websub_topic="https://e.org/feed"))
    assert subscribe_due(settings.with_(public_url=""), store) == 0
    assert hub.requests == []


def test_the_parser_reports_the_advertised_hub_and_topic():
    feed = parse_feed(ATOM.replace(b"<title>", b'<link rel="hub" href="/hub"/><title>', 1),
                      url="https://daringfireball.net/feeds/main")
    assert feed.websub == ("https://daringfireball.net/hub",
                           "https://daringfireball.net/feeds/main")
    assert parse_feed(ATOM, url="https://daringfireball.net/feeds/main").websub is None
    assert advertised_hub({"links": [{"rel": "hub", "href": "javascript:x"}]}, "https://e/") \
        is None


@pytest.mark.parametrize(("header", "ok"), [
    ("sha256=" + hmac.new(b"k", b"body", hashlib.sha256).hexdigest(), True),
    ("SHA384=" + hmac.new(b"k", b"body", hashlib.sha384).hexdigest(), True),
    ("sha256=" + hmac.new(b"k", b"other", hashlib.sha256).hexdigest(), False),
    ("sha256", False), ("", False), (None, False),
])
def test_signature_check(header, ok):
    assert signature_valid("k", header, b"body") is ok
    assert signature_valid(None, header, b"body") is False
