"""Parsing feeds on every core: feedparser is the crawl's floor (tens of ms of one core
per feed), and the Scrapy process has one thread, so big crawls parse in worker
processes while the reactor keeps downloading and storing. The workers also analyse
every draft (language, SimHash: crawler/analyse/analysis.py), so the crawler process only stores;
items a source had already cost that analysis again, the price of keeping it off the
process that stores.

Small crawls (tests, a handful of due sources) parse in-process: starting workers costs
more than it saves there.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from rabkor.crawler.draft import ParsedFeed
from rabkor.crawler.parse.feed import parse_feed
from rabkor.crawler.parse.worker import parse_and_analyse

POOL_FROM = 100  # feeds in a crawl from which workers pay for themselves


class ParsePool:
    """parse_feed, in worker processes when the crawl is big enough and there are cores."""

    def __init__(self, jobs: int) -> None:
        workers = os.cpu_count() or 1
        self.executor = None
        if jobs >= POOL_FROM and workers > 1:
            # spawn, not fork: forking a process that runs a reactor and threads is unsafe
            self.executor = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"))

    async def parse(self, body: bytes, *, url: str, content_type: str,
                    source_language: str | None) -> ParsedFeed:
        if self.executor is None:
            return parse_feed(body, url=url, content_type=content_type,
                              source_language=source_language)
        future = self.executor.submit(parse_and_analyse, body, url=url,
                                      content_type=content_type,
                                      source_language=source_language)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)  # reaped: CPU accounted
