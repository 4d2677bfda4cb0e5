"""Parsing feeds (and reading correspondents' PDFs) in worker processes, each feed or PDF
bounded in time and memory.

feedparser is the crawl's floor (tens of ms of one core per feed) and the Scrapy process
has one thread, so feeds are parsed in worker processes while the reactor keeps
downloading and storing: on every core for a big crawl, in one worker for a small one.
The reactor never parses, so a hostile feed can slow no other source. Each feed gets
`parse_seconds` of wall-clock time (a setting, 30 by default: an alarm in the worker) and the worker
`PARSE_MEMORY` bytes of address space (RLIMIT_AS): past either, that feed is an error
on its source. A parse that ignores the alarm (stuck in C) is ended from here
`HARD_GRACE` seconds later: the workers are killed and a new pool takes the feeds that
were still in flight. The workers also analyse every draft (language, SimHash:
crawler/analyse/analysis.py), so the crawler process only stores; items a source had
already cost that analysis again, the price of keeping it off the process that stores.
A correspondent's submitted link (crawler/submissions) is read in such a worker too,
under the same bounds (`read`), and so is every article page's text that the crawl
extracts (full text, sitemaps: `run`): a decompression bomb or a file that sends pypdf
round in circles, a page that keeps trafilatura busy for minutes, costs that link or
page an error, never a stuck or dead submissions step or crawl.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TypeVar

from rabkor.core.errors import FeedParseError
from rabkor.crawler.draft import ParsedFeed
from rabkor.crawler.parse.worker import bounded_worker, parse_and_analyse, read_bounded

logger = logging.getLogger(__name__)

POOL_FROM = 100  # feeds in a crawl from which a worker on every core pays for itself
HARD_GRACE = 15  # seconds past that, measured here, for a parse the alarm cannot stop
PARSE_MEMORY = 2 * 2**30  # a worker's address space (a worker uses about 400 MB of it)
T = TypeVar("T")


class ParsePool:
    """parse_and_analyse (and a submitted link's `read`) in worker processes, one at a
    time each, bounded."""

    def __init__(self, jobs: int, *, seconds: int,
                 memory: int = PARSE_MEMORY) -> None:
        self.workers = (os.cpu_count() or 1) if jobs >= POOL_FROM else 1
        self.seconds, self.memory = seconds, memory
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: forking a process that runs a reactor and threads is unsafe
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=bounded_worker,
                                   initargs=(self.seconds, self.memory))

    async def parse(self, body: bytes, *, url: str, content_type: str,
                    source_language: str | None) -> ParsedFeed:
        for attempt in (1, 2):  # a second time only when another feed broke the pool
            executor = self.executor
            future = executor.submit(parse_and_analyse, body, url=url,
                                     content_type=content_type,
                                     source_language=source_language)
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future),
                                              self.seconds + HARD_GRACE)
            except TimeoutError:
                self._restart(executor)
                raise FeedParseError("parsing the feed took more than "
                                     f"{self.seconds + HARD_GRACE} s") from None
            except BrokenProcessPool:
                self._restart(executor)
                if attempt == 2:
                    raise FeedParseError("the feed's parser process died") from None
                logger.info("parse worker died; the feed is parsed again url=%s", url)
        raise AssertionError("unreachable")

    def read(self, work: Callable[..., T], *args: object, error: type[Exception],
             what: str) -> T:
        """`work(*args)` in a worker (waited for: the submissions step has no event loop);
        past the bounds `error` saying that reading `what` ("the PDF") took too long or
        too much, the worker killed and replaced when it does not stop. `work`, its
        arguments and `error` go to the worker by pickling: module-level names only."""
        executor = self.executor
        future = executor.submit(read_bounded, work, args, error, what)
        with self._bounds(executor, error, what):
            return future.result(self.seconds + HARD_GRACE)

    async def run(self, work: Callable[..., T], *args: object, error: type[Exception],
                  what: str) -> T:
        """`read` for the crawl's event loop (an article page's text extracted): awaited,
        so the reactor goes on downloading meanwhile."""
        executor = self.executor
        future = executor.submit(read_bounded, work, args, error, what)
        with self._bounds(executor, error, what):
            return await asyncio.wait_for(asyncio.wrap_future(future),
                                          self.seconds + HARD_GRACE)

    @contextmanager
    def _bounds(self, executor: ProcessPoolExecutor, error: type[Exception], what: str
                ) -> Iterator[None]:
        """A reader past its time, or whose process died, as `error` in words; its pool
        replaced."""
        try:
            yield
        except TimeoutError:
            self._restart(executor)
            raise error(f"reading {what} took more than {self.seconds + HARD_GRACE} s"
                        ) from None
        except BrokenProcessPool:
            self._restart(executor)
            raise error(f"{what}'s reader process died") from None

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        """Kill the workers of `broken` (once, however many feeds notice it) and start anew."""
        if broken is not self.executor:
            return
        for process in list(getattr(broken, "_processes", {}).values()):
            process.kill()
        broken.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)  # reaped: CPU accounted
