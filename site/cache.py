"""Rendered pages and feeds kept in the web process, and answered by ETag.

A reader's page is the same for every reader of its language, so the site renders it
once and answers the next requests from memory: for `page_cache_seconds`, or until the
desk changes what readers see in this process (core/store/changes.py), whichever comes
first. Every kept answer carries an ETag (a hash of its body): a reader or a proxy that
already has it gets a 304 without a body; the gzip form is made once and kept beside
the plain one for readers whose browsers accept it. The memory is bounded by
MAX_ENTRIES and MAX_BYTES (the oldest answers go first).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.store import changes

MAX_ENTRIES = 2000
MAX_BYTES = 64 * 1024 * 1024
MIN_GZIP = 1024  # smaller bodies are not worth compressing

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class Kept:
    body: bytes
    media_type: str
    etag: str
    at: float
    version: int
    zipped: bytes | None = field(default=None)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.zipped or b"")


class PageCache:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._kept: OrderedDict[str, Kept] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Kept | None:
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                return None
            if (time.monotonic() - found.at > self.seconds
                    or found.version != changes.version()):
                self._drop(key)
                return None
            return found

    def put(self, key: str, kept: Kept) -> None:
        with self._lock:
            if key in self._kept:
                self._drop(key)
            self._kept[key] = kept
            self._bytes += kept.size
            while len(self._kept) > MAX_ENTRIES or self._bytes > MAX_BYTES:
                self._drop(next(iter(self._kept)))

    def zipped(self, key: str, kept: Kept) -> bytes:
        if kept.zipped is None:
            data = gzip.compress(kept.body, compresslevel=6)
            with self._lock:
                if self._kept.get(key) is kept:
                    self._bytes += len(data)
                kept.zipped = data
        return kept.zipped

    def _drop(self, key: str) -> None:
        gone = self._kept.pop(key)
        self._bytes -= gone.size


def cached(handler: Handler) -> Handler:
    """`handler` answered from the app's PageCache; only 200 answers are kept."""

    async def answer(request: Request) -> Response:
        cache: PageCache = request.app.state.page_cache
        if cache.seconds <= 0:
            return await handler(request)
        key = f"{request.url.path}?{request.url.query}"
        kept = cache.get(key)
        if kept is None:
            version = changes.version()  # before rendering: a change meanwhile drops it
            response = await handler(request)
            if response.status_code != 200:
                return response
            body = bytes(response.body)
            kept = Kept(body, response.headers.get("content-type", "text/html"),
                        f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"',
                        time.monotonic(), version)
            cache.put(key, kept)
        return _send(request, cache, key, kept)

    return answer


def _send(request: Request, cache: PageCache, key: str, kept: Kept) -> Response:
    # browsers and proxies keep it but ask again each time (a 304 when unchanged): with a
    # max-age an editor who has just published would see the old page from their own cache
    headers = {"ETag": kept.etag, "Vary": "Accept-Encoding", "Cache-Control": "public, no-cache"}
    if kept.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if len(kept.body) >= MIN_GZIP and "gzip" in request.headers.get("accept-encoding", ""):
        return Response(cache.zipped(key, kept), media_type=kept.media_type,
                        headers={**headers, "Content-Encoding": "gzip"})
    return Response(kept.body, media_type=kept.media_type, headers=headers)
