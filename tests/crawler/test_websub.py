"""WebSub end to end against a real local hub: subscribe, verify, signed pushes stored,
and unsubscribe when a source is disabled or its feed leaves the hub."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from rabkor.app.cli import main
from rabkor.app.server import create_app
from rabkor.core.store.models import Item, Source, WebSubState, utcnow
from rabkor.crawler.draft import FetchOutcome
from rabkor.crawler.parse.feed import advertised_hub, parse_feed
from rabkor.crawler.run import crawl
from rabkor.crawler.sources.schedule import Policy
from rabkor.crawler.store.pipeline import store_outcome
from rabkor.crawler.websub.hub import signature_valid
from rabkor.crawler.websub.subscribe import subscribe_due
from tests.feedserver import FeedServer
from tests.net import free_port, served, wait_for

DATA = Path(__file__).parents[1] / "data"
ATOM = (DATA / "discovery" / "feeds" / "main").read_bytes()  # Daring Fireball, Atom
PUSHED = (DATA / "feeds" / "en" / "guardian.rss").read_bytes()  # 55 other items
JSON_FEED = json.loads((DATA / "feeds" / "en" / "jsonfeed.json").read_bytes())  # 2 items


class Hub:
    """A small WebSub hub: takes subscriptions, verifies them, and pushes signed content."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.verified: dict[str, dict[str, str]] = {}  # callback → subscription
        self.unsubscribed: list[dict[str, str]] = []
        self.answers: list[tuple[str, int]] = []  # (mode, status) of each verification
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
        self.answers.append((form["hub.mode"], answer.status_code))
        if answer.status_code != 200 or answer.text != challenge:
            return
        if form["hub.mode"] == "unsubscribe":
            self.verified.pop(form["hub.callback"], None)
            self.unsubscribed.append(form)
        else:
            self.verified[form["hub.callback"]] = form

    def push(self, callback: str, body: bytes, *, method: str = "sha256",
             secret: str | None = None,
             content_type: str = "application/rss+xml") -> httpx.Response:
        key = (secret or self.verified[callback]["hub.secret"]).encode()
        signature = hmac.new(key, body, getattr(hashlib, method)).hexdigest()
        return httpx.post(callback, content=body, headers={
            "Content-Type": content_type, "X-Hub-Signature": f"{method}={signature}"})

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
    unsubscribe = {**query, "hub.mode": "unsubscribe"}
    assert httpx.get(f"{web}/websub/{source_id}", params=unsubscribe).status_code == 404
    with store.transaction() as s:  # asked to drop, yet the topic is still wanted
        source = s.get(Source, source_id)
        source.websub_drop_hub, source.websub_drop_topic = "https://hub.example/", \
            "https://e.org/feed"
        source.websub_drop_requested_at = utcnow()
    assert httpx.get(f"{web}/websub/{source_id}", params=unsubscribe).status_code == 404
    with store.transaction() as s:
        s.get(Source, source_id).enabled = False
    assert httpx.get(f"{web}/websub/{source_id}", params=query).status_code == 404  # disabled
    with store.transaction() as s:
        s.get(Source, source_id).enabled = True
    answer = httpx.get(f"{web}/websub/{source_id}", params=query)
    assert (answer.status_code, answer.text) == (200, "abc")
    with store.read() as s:
        assert s.get(Source, source_id).websub_state == "active"
    without_challenge = {k: v for k, v in unsubscribe.items() if k != "hub.challenge"}
    assert httpx.get(f"{web}/websub/{source_id}", params=without_challenge).status_code == 400


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


def test_json_feed_hubs_subscribe_and_json_pushes_are_stored(settings, store, web, hub,
                                                              hub_feed, tmp_path):
    settings = settings.with_(allowed_loopback=(*settings.allowed_loopback, hub_feed.hostport))
    hubs = [{"type": "rssCloud", "url": "http://cloud.invalid/rpc"},
            {"type": "WebSub", "url": f"http://{hub.hostport}/"}]
    (tmp_path / "feeds" / "df.json").write_text(json.dumps({**JSON_FEED, "hubs": hubs}))
    with store.transaction() as s:
        s.add(Source(feed_url=hub_feed.url("df.json")))
    assert crawl(settings, store).new_items == 2
    [form] = hub.requests  # the WebSub hub, on the feed's own feed_url as the topic
    assert (form["hub.mode"], form["hub.topic"]) == ("subscribe",
                                                     "https://daringfireball.net/feeds/json")
    assert wait_for(lambda: form["hub.callback"] in hub.verified)
    pushed = {**JSON_FEED, "items": [
        {"id": f"https://daringfireball.net/linked/pushed-{n}", "title": f"Pushed post {n}",
         "url": f"https://daringfireball.net/linked/pushed-{n}",
         "content_html": f"<p>Sent by the hub, number {n}.</p>",
         "date_published": "2020-01-25T10:00:00Z"} for n in (1, 2)]}
    body = json.dumps(pushed).encode()
    assert hub.push(form["hub.callback"], body, secret="wrong",
                    content_type="application/feed+json").status_code == 403
    assert hub.push(form["hub.callback"], body,
                    content_type="application/feed+json").status_code == 204
    with store.read() as s:
        titles = {item.title for item in s.query(Item)}
    assert {"Pushed post 1", "Pushed post 2"} < titles and len(titles) == 4


@pytest.mark.parametrize(("hubs", "feed_url", "expected"), [
    ([{"type": "websub", "url": "/hub"}], None, ("https://e.org/hub", "https://e.org/f.json")),
    ([{"type": "WebSub", "url": "https://h.org/"}], "https://e.org/self",
     ("https://h.org/", "https://e.org/self")),
    ([{"type": "WebSub", "url": "https://h.org/"}], "javascript:alert(1)",
     ("https://h.org/", "https://e.org/f.json")),  # an unsafe topic: the URL fetched
    ([{"type": "rssCloud", "url": "https://h.org/"}], None, None),
    ([{"type": "WebSub", "url": "file:///etc/passwd"}], None, None),
    ({"type": "WebSub", "url": "https://h.org/"}, None, None),  # not a list
    (7, None, None),
])
def test_json_feed_hubs_give_the_hub_and_topic_rss_links_would(hubs, feed_url, expected):
    body = json.dumps({**JSON_FEED, "hubs": hubs, "feed_url": feed_url}).encode()
    assert parse_feed(body, url="https://e.org/f.json").websub == expected


def test_a_source_the_user_disables_is_unsubscribed(settings, store, web, hub, monkeypatch,
                                                    tmp_path):
    source_id, callback = subscribed_source(store, settings, hub, "https://e.org/feed")
    with store.read() as s:
        secret = s.get(Source, source_id).websub_secret
    monkeypatch.chdir(tmp_path)  # `rabkor` on the test's store: its data dir, no config file
    monkeypatch.setenv("RABKOR_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("RABKOR_DATABASE_URL", raising=False)
    assert main(["sources", "disable", str(source_id)]) == 0
    assert hub.requests[-1]["hub.mode"] == "subscribe"  # the command sends nothing itself
    early = {"hub.mode": "unsubscribe", "hub.topic": "https://e.org/feed", "hub.challenge": "x"}
    assert httpx.get(callback, params=early).status_code == 404  # not asked for yet
    assert subscribe_due(settings, store) == 1
    assert hub.requests[-1] == {"hub.mode": "unsubscribe", "hub.topic": "https://e.org/feed",
                                "hub.callback": callback}
    assert wait_for(lambda: hub.unsubscribed)
    assert hub.answers[-1] == ("unsubscribe", 200)
    with store.read() as s:
        source = s.get(Source, source_id)
        assert (source.enabled, source.websub_state, source.websub_drop_hub) == (False, None,
                                                                                None)
        assert source.disabled_reason == "disabled by an administrator"
    assert hub.push(callback, PUSHED, secret=secret).status_code == 404
    assert subscribe_due(settings, store) == 0 and len(hub.requests) == 2  # nothing more
    assert main(["sources", "enable", str(source_id)]) == 0
    assert subscribe_due(settings, store) == 1
    assert hub.requests[-1]["hub.mode"] == "subscribe"
    assert wait_for(lambda: callback in hub.verified)


def test_a_source_the_crawler_disables_is_unsubscribed_after_the_crawl(settings, store, web,
                                                                       hub, hub_feed):
    settings = settings.with_(allowed_loopback=(*settings.allowed_loopback, hub_feed.hostport))
    gone = hub_feed.url("status/410")
    source_id, _ = subscribed_source(store, settings, hub, gone)
    assert crawl(settings, store).errors == {source_id: "HTTP 410 Gone"}  # disabled at once
    assert (hub.requests[-1]["hub.mode"], hub.requests[-1]["hub.topic"]) == ("unsubscribe",
                                                                             gone)
    assert wait_for(lambda: hub.unsubscribed)
    with store.read() as s:
        source = s.get(Source, source_id)
        assert not source.enabled and source.websub_drop_topic is None


def test_a_feed_that_leaves_its_hub_is_unsubscribed_from_it(settings, store, web, hub):
    """Hub A topic T → hub B topic T2 → hub A topic T2 → no hub, each fed through the
    crawl's store path; only what the callback can tell apart is unsubscribed."""
    other = Hub()
    try:
        settings = settings.with_(allowed_loopback=(*settings.allowed_loopback, other.hostport))
        with store.transaction() as s:
            source = Source(feed_url="https://daringfireball.net/feeds/main")
            s.add(source)
            s.flush()
            source_id = source.id
        callback = f"{settings.public_url}/websub/{source_id}"

        def crawled(hub_url: str | None, topic: str = "https://daringfireball.net/feeds/main"):
            links = f'<link rel="hub" href="{hub_url}"/>' if hub_url else ""
            body = ATOM.replace(b"https://daringfireball.net/feeds/main", topic.encode())
            body = body.replace(b"<title>", links.encode() + b"<title>", 1)
            feed = parse_feed(body, url="https://daringfireball.net/feeds/main")
            with store.transaction() as s:
                store_outcome(s, FetchOutcome(source_id, feed=feed), now=utcnow(),
                              policy=Policy.from_settings(settings))
            return subscribe_due(settings, store)

        def modes(h: Hub) -> list[tuple[str, str]]:
            return [(form["hub.mode"], form["hub.topic"]) for form in h.requests]

        topic, moved = "https://daringfireball.net/feeds/main", "https://df.example/moved"
        assert crawled(f"http://{hub.hostport}/") == 1
        assert wait_for(lambda: callback in hub.verified)
        assert crawled(f"http://{other.hostport}/", moved) == 2
        assert modes(hub)[-1] == ("unsubscribe", topic)
        assert modes(other) == [("subscribe", moved)]
        assert wait_for(lambda: hub.unsubscribed and callback in other.verified)
        # the same topic at another hub: the old hub's unsubscribe could not be told from
        # one for the new, so none is sent and that lease runs out on its own
        assert crawled(f"http://{hub.hostport}/", moved) == 1
        assert modes(other) == [("subscribe", moved)]
        assert modes(hub)[-1] == ("subscribe", moved)
        assert wait_for(lambda: hub.answers[-1] == ("subscribe", 200))
        assert crawled(None, moved) == 1
        assert modes(hub)[-1] == ("unsubscribe", moved)
        assert wait_for(lambda: len(hub.unsubscribed) == 2)
        with store.read() as s:
            source = s.get(Source, source_id)
            assert (source.websub_hub, source.websub_state, source.websub_drop_hub) == (
                None, None, None)
    finally:
        other.close()


@pytest.mark.parametrize("hub_url", [
    "http://0177.0.0.1:18899/",  # an octal IPv4 number: httpx alone raised InvalidURL
    "http://evil.example\\@127.0.0.1/",  # read as two hosts by two parsers
    "http://[::ffff:10.0.0.1]/",
    "http://169.254.169.254/latest/",
])
def test_a_hostile_hub_fails_its_own_request_and_never_the_crawl(store, settings, hub,
                                                                  hub_url):
    with store.transaction() as s:
        s.add_all([Source(feed_url="https://e.org/a", websub_hub=f"http://{hub.hostport}/",
                          websub_topic="https://e.org/a"),
                   Source(feed_url="https://e.org/b", websub_hub=hub_url,
                          websub_topic="https://e.org/b")])
    assert subscribe_due(settings, store) == 1  # the good hub still got its request
    with store.read() as s:
        states = {src.feed_url: src.websub_state for src in s.scalars(select(Source))}
    assert states["https://e.org/b"] is WebSubState.FAILED
