"""A farm of generated feeds on loopback, in its own process: `python -m bench.crawl.farm`.

Each of N feeds is RSS 2.0 with 50 items whose titles, summaries and HTML bodies are
real ones (the Guardian, heise, La Nación, SPIEGEL from tests/data/feeds, see its
PROVENANCE.md), each with its own link and GUID, so that every feed is new content.
Feeds are spread over several loopback addresses (127.0.0.1 … 127.0.0.K, one port) as
real feeds are spread over hosts; each answer waits `--delay` seconds, as distant
servers do; ETags are honoured with 304. With `--hostile P`, P % of the feeds are
hostile ones instead, in turn: a 100 KB entity used 10,000 times, items nested 2,000
deep and never closed, a body that never ends (a drip of bytes), a body past the size
bound. Prints one JSON line {"hosts", "urls", "hostile"} when ready, and serves until
killed or its stdin closes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import socket
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser

FEEDS = Path(__file__).parents[2] / "tests" / "data" / "feeds"
MODELS = ("en/guardian.rss", "de/heise.atom", "es/lanacion.xml", "de/spiegel.xml")
ITEMS_PER_FEED = 50


def real_entries() -> list[tuple[str, str, str]]:
    """(title, summary, html content) of every entry of the model feeds."""
    entries = []
    for name in MODELS:
        parsed = feedparser.parse(io.BytesIO((FEEDS / name).read_bytes()))
        for e in parsed.entries:
            content = e.get("content", [{}])[0].get("value", "") or e.get("summary", "")
            entries.append((e.get("title", ""), e.get("summary", ""), content))
    return entries


def render_feed(n: int, entries: list[tuple[str, str, str]], now: datetime,
                items_per_feed: int = ITEMS_PER_FEED) -> bytes:
    """Feed number `n`: real entries from a rotating offset, with unique links."""
    items = []
    for i in range(items_per_feed):
        title, summary, content = entries[(n * 7 + i) % len(entries)]
        link = f"https://site{n % 97}.example/feed{n}/story-{i}"
        items.append(
            f"<item><title>{escape(title)}</title><link>{link}</link>"
            f"<guid isPermaLink='false'>feed{n}-item{i}</guid>"
            f"<pubDate>{format_datetime(now - timedelta(hours=3 * i + n % 3))}</pubDate>"
            f"<description>{escape(summary)}</description>"
            f"<content:encoded><![CDATA[{content.replace(']]>', '')}]]></content:encoded>"
            "</item>")
    return ("<?xml version='1.0' encoding='utf-8'?>"
            "<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
            f"<channel><title>Generated feed {n}</title>"
            f"<link>https://site{n % 97}.example/</link><language>en</language>"
            + "".join(items) + "</channel></rss>").encode()


HOSTILE = ("entities", "nesting", "endless", "huge")
ENDLESS = b"endless"


def render_hostile(n: int, kind: str, good: bytes) -> bytes:
    """Feed number `n` as a hostile publisher (or a broken one) would send it."""
    head = (f"<?xml version='1.0'?>{{}}<rss version='2.0'><channel><title>Hostile {n}"
            f"</title><link>https://hostile{n}.example/</link>")
    if kind == "entities":
        big = "x" * 100_000
        return (head.format(f"<!DOCTYPE rss [<!ENTITY big '{big}'>]>") +
                f"<item><title>e</title><link>https://hostile{n}.example/1</link>"
                "<description>" + "&big;" * 10_000 + "</description></item></channel></rss>"
                ).encode()
    if kind == "nesting":
        return (head.format("") + "".join(
            f"<item><title>n{i}</title><link>https://hostile{n}.example/{i}</link>"
            "<description>" + "<div>" * 2000 + "</description></item>" for i in range(100))
            + "</channel></rss>").encode()
    if kind == "huge":  # past the crawl's 10 MB bound
        return good[: good.index(b"<item>")] + good[good.index(b"<item>"):] * 120
    return ENDLESS


class Farm:
    """The feeds (rendered once) and the HTTP servers that serve them."""

    def __init__(self, feeds: int, delay: float, hosts: int,
                 items_per_feed: int = ITEMS_PER_FEED, hostile: float = 0.0) -> None:
        entries, now = real_entries(), datetime.now(UTC)
        self.bodies = [render_feed(n, entries, now, items_per_feed) for n in range(feeds)]
        every = round(100 / hostile) if hostile else 0
        self.hostile = [n for n in range(feeds) if every and n % every == every // 2]
        for turn, n in enumerate(self.hostile):
            self.bodies[n] = render_hostile(n, HOSTILE[turn % len(HOSTILE)], self.bodies[n])
        self.etags = ['"' + hashlib.sha1(b).hexdigest() + '"' for b in self.bodies]
        self.delay = delay
        self.servers = self._bind(hosts)

    def _bind(self, hosts: int) -> list[ThreadingHTTPServer]:
        farm = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                farm.answer(self)

        for _ in range(20):  # find a port free on every address
            servers = []
            try:
                first = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
                servers.append(first)
                port = first.server_address[1]
                for k in range(2, hosts + 1):
                    servers.append(ThreadingHTTPServer((f"127.0.0.{k}", port), Handler))
            except OSError:
                for server in servers:
                    server.server_close()
                continue
            for server in servers:
                server.daemon_threads = True
                server.request_queue_size = 256
                server.handle_error = lambda request, address: None  # a client hung up
            return servers
        raise OSError("no port free on every loopback address")

    def urls(self) -> list[str]:
        hosts = [f"{s.server_address[0]}:{s.server_address[1]}" for s in self.servers]
        return [f"http://{hosts[n % len(hosts)]}/feed/{n}.xml" for n in range(len(self.bodies))]

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        time.sleep(self.delay)
        try:
            n = int(handler.path.removeprefix("/feed/").removesuffix(".xml"))
            body, etag = self.bodies[n], self.etags[n]
        except (ValueError, IndexError):
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        if body is ENDLESS:
            self.drip(handler)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("ETag", etag)
        handler.end_headers()
        handler.wfile.write(body)

    def drip(self, handler: BaseHTTPRequestHandler) -> None:
        """A feed that never ends: a few bytes a second until the client gives up."""
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()
        try:
            handler.wfile.write(b"<?xml version='1.0'?><rss version='2.0'><channel>")
            for _ in range(600):
                handler.wfile.write(b"<title>still coming</title>")
                handler.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass  # the crawler hung up: its time bound held

    def serve(self) -> None:
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--items", type=int, default=ITEMS_PER_FEED)
    parser.add_argument("--hostile", type=float, default=0.0,
                        help="percent of the feeds that are hostile")
    args = parser.parse_args()
    farm = Farm(args.feeds, args.delay, args.hosts, args.items, args.hostile)
    farm.serve()
    hosts = sorted({f"{s.server_address[0]}:{s.server_address[1]}" for s in farm.servers})
    urls = farm.urls()
    print(json.dumps({"hosts": hosts, "urls": urls,
                      "hostile": [urls[n] for n in farm.hostile]}), flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or kills us)
    return 0


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    sys.exit(main())
