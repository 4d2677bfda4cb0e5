"""Page views of the public site, captured without slowing it: an ASGI middleware puts
each request's few facts on an in-memory queue (no hashing, no I/O on the request path)
and a background thread writes them in batches. A batch the database cannot take (locked
past a short wait, or any other store error) is dropped and counted, never a page
failed; the count is written with the next batch that gets through."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rabkor.core.settings import Settings
from rabkor.core.store.db import make_engine, session_factory, transaction
from rabkor.core.store.models import StatsMonth
from rabkor.stats.months import month_of, open_months
from rabkor.stats.record import Hit, record

logger = logging.getLogger(__name__)

BUSY_MS = 1000  # how long a flush waits for SQLite's write lock before dropping its batch
INTERVAL = 1.0  # seconds between flushes
BATCH = 2000  # views that wake the writer before its interval ends
LIMIT = 200_000  # views queued at most; past that (the store is gone) they are dropped


class Recorder:
    """The queue and its writer thread, one per web process (started by the first view)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _short_busy_wait)
        self.sessions = session_factory(self.engine)
        self.queue: deque[Hit] = deque()
        self.dropped = 0  # in this process since it started
        self._unsaved_drops = 0
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def add(self, hit: Hit) -> None:
        if len(self.queue) >= LIMIT:
            self._drop(1)
            return
        self.queue.append(hit)
        if self._thread is None:
            self._start()
        if len(self.queue) >= BATCH:
            self._wake.set()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="stats-flush",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(INTERVAL)
            self._wake.clear()
            self.flush()

    def flush(self) -> int:
        """Write what is queued now; the number written (0 when the batch was dropped)."""
        with self._lock:
            hits = []
            while self.queue:
                hits.append(self.queue.popleft())
            if not hits and not self._unsaved_drops:
                return 0
            try:
                with transaction(self.sessions) as session:
                    written = record(session, self.settings, hits).written if hits else 0
                    if self._unsaved_drops:
                        month = month_of(int(time.time()))
                        open_months(session, self.settings, {month})
                        row = session.get(StatsMonth, month)
                        row.dropped_views += self._unsaved_drops
                self._unsaved_drops = 0
                return written
            except SQLAlchemyError as exc:
                logger.warning("dropped %d page views: the store did not take them (%s)",
                               len(hits), exc.__class__.__name__)
                self._drop(len(hits))
                return 0

    def _drop(self, count: int) -> None:
        self.dropped += count
        self._unsaved_drops += count

    def stop(self) -> None:
        """Write what is left and end the writer (the web server is shutting down)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.flush()
        self.engine.dispose()


def _short_busy_wait(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    cur.close()


class CaptureMiddleware:
    """Wraps the public site: each HTTP request's time, path (no query string), status,
    bytes sent, referrer, user agent and address go on the recorder's queue; the address
    is left off when the reader sends Do Not Track or Global Privacy Control and the
    settings honour them."""

    def __init__(self, app: ASGIApp, recorder: Recorder) -> None:
        self.app, self.recorder = app, recorder
        self.honour_dnt = recorder.settings.stats_honour_dnt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        facts = [500, 0]  # status, bytes

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.body":
                facts[1] += len(message.get("body", b""))
            elif message["type"] == "http.response.start":
                facts[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, counted)
        finally:
            self._queue(scope, facts[0], facts[1])

    def _queue(self, scope: Scope, status: int, size: int) -> None:
        agent = referrer = ""
        host = b""
        private = False
        for name, value in scope["headers"]:
            if name == b"user-agent":
                agent = value.decode("latin-1")
            elif name == b"referer":
                referrer = value.decode("latin-1")
            elif name == b"host":
                host = value
            elif name in (b"dnt", b"sec-gpc") and value.strip() == b"1":
                private = True
        if referrer and host and f"//{host.decode('latin-1')}/" in referrer[:300]:
            referrer = ""  # from one of the site's own pages: not a referrer
        client = scope.get("client")
        address = None if (private and self.honour_dnt) or not client else client[0]
        self.recorder.add(Hit(at=int(time.time()), method=scope["method"], path=scope["path"],
                              status=status, bytes=size, referrer=referrer,
                              user_agent=agent, address=address))
