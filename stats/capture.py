"""Page views of the public site, captured without slowing it. On the request path the
middleware only appends a tuple of the request's facts to an in-memory queue; a thread
of the web process sends the queue in chunks to a writer process of its own, which
decodes, hashes, classifies and writes — so neither the CPU nor the GIL of
the process that serves pages is spent on the store. A batch the database cannot take
(locked past a short wait, or any other store error) is dropped and counted, never a
page failed; the count is written with the next batch that gets through."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from multiprocessing.connection import Connection

from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rabkor.core.settings import Settings
from rabkor.core.store.db import make_engine, session_factory, transaction
from rabkor.core.store.models import StatsMonth
from rabkor.stats.months import month_of, open_months
from rabkor.stats.record import Hit, record

logger = logging.getLogger(__name__)

BUSY_MS = 1000  # how long a batch waits for SQLite's write lock before it is dropped
INTERVAL = 1.0  # seconds between batches
CHUNK = 500  # views sent and written at a time: pickling holds the web process's GIL
LIMIT = 200_000  # views queued at most; past that (the writer is stuck) they are dropped
REPLY_SECONDS = 60  # a writer that answers no batch for this long is taken for dead
NICENESS = 19  # the writer's priority below the web process's: the lowest
END = ()  # sent after a flush's chunks: write them

# what the middleware queues: time, method, path, status, bytes, the user agent, referrer
# and host headers as sent, Do Not Track or GPC asked, the client address
Raw = tuple[int, str, str, int, int, bytes, bytes, bytes, bool, str | None]


class Recorder:
    """The queue, its sending thread and its writer process, one each per web process,
    started by the first view."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queue: deque[Raw] = deque()
        self.dropped = 0  # views lost since this process started
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self._writer: multiprocessing.process.BaseProcess | None = None
        self._pipe: Connection | None = None
        self._lock = threading.Lock()

    def add(self, raw: Raw) -> None:
        if len(self.queue) >= LIMIT:
            self.dropped += 1
            return
        self.queue.append(raw)
        if self._thread is None:
            self._start_thread()

    def _start_thread(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="stats-send",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(INTERVAL)
            self.flush()

    def flush(self) -> int:
        """Send what is queued now and wait for the writer: the views written (0 when the
        batch was dropped)."""
        with self._lock:
            batch = []
            while self.queue:
                batch.append(self.queue.popleft())
            return self._send(batch) if batch else 0

    def _send(self, batch: list[Raw]) -> int:
        """In chunks (each pickled while holding the GIL), written by the writer in one
        transaction: one commit and one round of rollup upserts a flush, not a chunk."""
        try:
            pipe = self._connect()
            for start in range(0, len(batch), CHUNK):
                pipe.send(batch[start:start + CHUNK])
            pipe.send(END)
            if not pipe.poll(REPLY_SECONDS):
                raise TimeoutError("the statistics writer does not answer")
            written, lost = pipe.recv()
        except (OSError, EOFError, TimeoutError) as exc:
            logger.warning("dropped %d page views: %s", len(batch), exc)
            self._close_writer()
            written, lost = 0, len(batch)
        self.dropped += lost
        return written

    def _connect(self) -> Connection:
        if self._writer is None or not self._writer.is_alive():
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            self._writer = context.Process(target=write_forever, args=(self.settings, theirs),
                                           name="rabkor-stats-writer", daemon=True)
            self._writer.start()
            theirs.close()
            self._pipe = ours
        return self._pipe

    def _close_writer(self) -> None:
        if self._pipe is not None:
            self._pipe.close()
        if self._writer is not None and self._writer.is_alive():
            self._writer.terminate()
        self._writer = self._pipe = None

    def stop(self) -> None:
        """Send what is left and end the writer (the web server is shutting down)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=REPLY_SECONDS)
        self.flush()
        with self._lock:
            if self._pipe is not None and self._writer is not None:
                try:
                    self._pipe.send(None)
                    self._writer.join(timeout=10)
                except OSError:
                    pass
            self._close_writer()


def write_forever(settings: Settings, pipe: Connection) -> None:
    """The writer process: each flush's chunks read into hits, written, and answered with
    (views written, views dropped); ends when the pipe sends None or closes. It runs at a lower
    priority than the server: when the cores are busy, pages come first and the queue
    waits (bounded by LIMIT)."""
    os.nice(NICENESS)
    engine = make_engine(settings)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _short_busy_wait)
    sessions = session_factory(engine)
    unsaved_drops = 0
    honour = settings.stats_honour_dnt
    batch: list[Raw] = []
    while True:
        try:
            part = pipe.recv()
        except (EOFError, OSError):
            break
        if part is None:
            break
        if part != END:
            batch += part
            continue
        hits, batch = [_hit(raw, honour) for raw in batch], []
        try:
            with transaction(sessions) as session:
                written = record(session, settings, hits).written
                if unsaved_drops:
                    month = month_of(int(time.time()))
                    open_months(session, settings, {month})
                    session.get(StatsMonth, month).dropped_views += unsaved_drops
            unsaved_drops = 0
            pipe.send((written, 0))
        except SQLAlchemyError as exc:
            logger.warning("dropped %d page views: the store did not take them (%s)",
                           len(hits), exc.__class__.__name__)
            unsaved_drops += len(hits)
            pipe.send((0, len(hits)))
    engine.dispose()


def _short_busy_wait(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    cur.close()


def _hit(raw: Raw, honour_dnt: bool) -> Hit:
    """A queued request as a hit, decoded here, in the writer: the address left off for Do
    Not Track or Global Privacy Control, a referrer from the site's own pages dropped."""
    at, method, path, status, size, agent, referrer, host, private, address = raw
    referrer_text = referrer.decode("latin-1")
    if referrer and host and f"//{host.decode('latin-1')}/" in referrer_text[:300]:
        referrer_text = ""
    return Hit(at=at, method=method, path=path, status=status, bytes=size,
               referrer=referrer_text, user_agent=agent.decode("latin-1"),
               address=None if private and honour_dnt else address)


class CaptureMiddleware:
    """Wraps the public site: each HTTP request's time, method, path (never the query
    string), status, bytes sent, three headers as sent, whether the reader asked not to be
    tracked, and the client address go on the recorder's queue; the writer keeps of them
    what the statistics need."""

    def __init__(self, app: ASGIApp, recorder: Recorder) -> None:
        self.app, self.recorder = app, recorder

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
            agent = referrer = host = b""
            private = False
            for name, value in scope["headers"]:
                if name == b"user-agent":
                    agent = value
                elif name == b"referer":
                    referrer = value
                elif name == b"host":
                    host = value
                elif name in (b"dnt", b"sec-gpc") and value == b"1":
                    private = True
            client = scope.get("client")
            self.recorder.add((int(time.time()), scope["method"], scope["path"], facts[0],
                               facts[1], agent, referrer, host, private,
                               client[0] if client else None))
