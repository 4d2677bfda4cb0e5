"""Rendered pages and feeds kept in the web process, and answered by ETag.

A reader's page is the same for every reader of its language, so the site renders it
once and answers the next requests from memory: for `page_cache_seconds`, or until the
desk changes what readers see (core/store/changes.py: in any process on this data
directory), whichever comes first. While one request renders a page, the others that
ask for it meanwhile wait for its answer rather than each rendering it again (on a cold
page under 64 connections, one render instead of 64). Every kept answer carries an ETag
(a hash of its body): a reader or a proxy that already has it gets a 304 without a body; the brotli
and gzip forms are made once, when first asked for, and kept beside the plain one. The
memory is bounded by MAX_ENTRIES and MAX_BYTES (the oldest answers go first).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import brotli
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.store.changes import Stamp

MAX_ENTRIES = 2000
MAX_BYTES = 64 * 1024 * 1024
MIN_COMPRESS = 1024  # smaller bodies are not worth compressing
# the encodings kept, in the order preferred when a browser accepts several: brotli's
# quality 5 makes pages ~15 % smaller than gzip's 6 at about the same cost
ENCODERS = {
    "br": lambda body: brotli.compress(body, quality=5),
    "gzip": lambda body: gzip.compress(body, compresslevel=6),
}

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class Kept:
    body: bytes
    media_type: str
    etag: str
    at: float
    version: object
    encoded: dict[str, bytes] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.body) + sum(map(len, self.encoded.values()))


class PageCache:
    def __init__(self, seconds: float, stamp: Stamp) -> None:
        self.seconds = seconds
        self.stamp = stamp
        self._kept: OrderedDict[str, Kept] = OrderedDict()
        self.rendering: dict[str, asyncio.Event] = {}  # used on the event loop only
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Kept | None:
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                return None
            if (time.monotonic() - found.at > self.seconds
                    or found.version != self.stamp.version()):
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

    def encoded(self, key: str, kept: Kept, encoding: str) -> bytes:
        """The body in `encoding`, compressed the first time it is asked for."""
        data = kept.encoded.get(encoding)
        if data is None:
            data = ENCODERS[encoding](kept.body)
            with self._lock:
                if self._kept.get(key) is kept and encoding not in kept.encoded:
                    self._bytes += len(data)
                kept.encoded[encoding] = data
        return data

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
        if kept is None and (rendering := cache.rendering.get(key)) is not None:
            await rendering.wait()
            kept = cache.get(key)  # None when that answer was not a 200: render our own
        if kept is None:
            done = cache.rendering[key] = asyncio.Event()
            try:
                version = cache.stamp.version()  # before rendering: a change drops it
                response = await handler(request)
                if response.status_code != 200:
                    return response
                body = bytes(response.body)
                kept = Kept(body, response.headers.get("content-type", "text/html"),
                            f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"',
                            time.monotonic(), version)
                cache.put(key, kept)
            finally:
                done.set()
                if cache.rendering.get(key) is done:
                    del cache.rendering[key]
        return _send(request, cache, key, kept)

    return answer


def _send(request: Request, cache: PageCache, key: str, kept: Kept) -> Response:
    # browsers and proxies keep it but ask again each time (a 304 when unchanged): with a
    # max-age an editor who has just published would see the old page from their own cache
    headers = {"ETag": kept.etag, "Vary": "Accept-Encoding", "Cache-Control": "public, no-cache"}
    if kept.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    encoding = chosen_encoding(request.headers.get("accept-encoding", ""))
    if encoding and len(kept.body) >= MIN_COMPRESS:
        return Response(cache.encoded(key, kept, encoding), media_type=kept.media_type,
                        headers={**headers, "Content-Encoding": encoding})
    return Response(kept.body, media_type=kept.media_type, headers=headers)


def chosen_encoding(accept_encoding: str) -> str | None:
    """The kept encoding the browser accepts (q > 0), brotli first; None for the plain body."""
    accepted = set()
    for part in accept_encoding.lower().split(","):
        name, _sep, params = part.strip().partition(";")
        quality = params.strip().removeprefix("q=")
        try:
            if not params.strip() or float(quality) > 0:
                accepted.add(name.strip())
        except ValueError:
            continue
    return next((name for name in ENCODERS if name in accepted or "*" in accepted), None)
