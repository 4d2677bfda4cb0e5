"""A loopback HTTP server for crawl tests and the demo: serves a folder, plus misbehaving routes.

Routes besides the files:
  /status/<code>   answers that status with a short HTML body
  /html            an HTML page where a feed was expected
  /garbage         random bytes declared as XML
  /endless         a body that never ends (until the client gives up)
  /hang            accepts the connection and never answers
  /empty           200 with an empty body
  /private/<file>  the file behind HTTP basic auth (user "reader", password "s3cret")
  /names/<host>    an HTML page naming one feed, at http://<host>/feed.xml
Files get an ETag and honour If-None-Match with 304.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PRIVATE = base64.b64encode(b"reader:s3cret").decode()
TYPES = {".xml": "application/xml", ".rss": "application/rss+xml",
         ".atom": "application/atom+xml", ".json": "application/feed+json",
         ".html": "text/html; charset=utf-8", ".mp3": "audio/mpeg", ".pdf": "application/pdf",
         ".png": "image/png"}


class _Handler(BaseHTTPRequestHandler):
    root: Path
    stop: threading.Event

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith("/status/"):
            self._send(int(path.rsplit("/", 1)[1]), b"<html><body>nope</body></html>",
                       "text/html")
        elif path == "/html":
            self._send(200, b"<!doctype html><html><head><title>Hi</title></head>"
                            b"<body><p>Not a feed.</p></body></html>", "text/html")
        elif path == "/garbage":
            self._send(200, os.urandom(4096), "application/xml")
        elif path == "/empty":
            self._send(200, b"", "application/xml")
        elif path == "/endless":
            self._endless()
        elif path == "/hang":
            self.stop.wait(120)
        elif path.startswith("/private/"):
            if self.headers.get("Authorization") != "Basic " + PRIVATE:
                self._send(401, b"who are you?", "text/plain",
                           {"WWW-Authenticate": 'Basic realm="feeds"'})
            else:
                self._file(path.removeprefix("/private"))
        elif path.startswith("/names/"):
            host = path.removeprefix("/names/")
            self._send(200, f'<html><head><link rel="alternate" type="application/rss+xml" '
                            f'href="http://{host}/feed.xml"></head><body>hi</body></html>'
                       .encode(), "text/html")
        else:
            self._file(path)

    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _endless(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        chunk = b"<rss><channel>" + b"<item><title>x</title></item>" * 2000
        try:
            while not self.stop.is_set():
                self.wfile.write(chunk)
                time.sleep(0.001)
        except OSError:
            pass

    def _file(self, path: str) -> None:
        # ".." is refused by the normalized path; symbolic links inside the root (the demo's
        # feeds, tests/data/feeds/PROVENANCE.md) are followed
        target = Path(os.path.normpath(self.root / path.lstrip("/")))
        if not target.is_file() or self.root not in target.parents:
            self._send(404, b"not found", "text/plain")
            return
        body = target.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self._send(200, body, TYPES.get(target.suffix, "application/octet-stream"),
                   {"ETag": etag})


class FeedServer:
    """Serves `root` on 127.0.0.1 at a free port, in a thread, until `close()`."""

    def __init__(self, root: Path, port: int = 0) -> None:
        stop = threading.Event()
        handler = type("Handler", (_Handler,), {"root": root.resolve(), "stop": stop})
        self._stop = stop
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.hostport = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://{self.hostport}/{path.lstrip('/')}"

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
