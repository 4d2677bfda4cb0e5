"""Crawler fixtures: a loopback server that redirects wherever it is told, and source helpers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from rabkor.core.settings import Settings
from rabkor.core.store.models import Source


class _Redirect(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        target = parse_qs(urlsplit(self.path).query).get("to", [""])[0]
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="session")
def redirector() -> Iterator[str]:
    """host:port of a server answering /?to=URL with a 302 to URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def settings(settings: Settings, redirector: str) -> Settings:
    """Both loopback servers allowed; short bounds so the bad routes cost little time."""
    return settings.with_(allowed_loopback=(*settings.allowed_loopback, redirector),
                          fetch_timeout=2.0, max_feed_bytes=1024 * 1024)


def add_feeds(store, *urls: str) -> list[int]:
    """Sources for `urls`, written directly (add_source would refuse the hostile ones)."""
    with store.transaction() as s:
        sources = [Source(feed_url=u) for u in urls]
        s.add_all(sources)
        s.flush()
        return [src.id for src in sources]
