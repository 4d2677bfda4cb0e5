"""The parse workers: each feed bounded in time, a dead worker costing no other feed."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

import pytest

from rabkor.core.errors import FeedParseError
from rabkor.crawler.parse.pool import ParsePool

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
GUARDIAN = (FEEDS / "en" / "guardian.rss").read_bytes()


def _many_items(count: int) -> bytes:
    """A real feed's items, repeated under new links: many seconds of parsing and analysis."""
    head, _, rest = GUARDIAN.partition(b"<item>")
    item = re.sub(rb"<guid[^>]*>.*?</guid>", b"", b"<item>" + rest.split(b"</item>")[0] +
                  b"</item>", flags=re.DOTALL)
    items = b"".join(item.replace(b"<link>", b"<link>https://e.org/%d/" % i, 1)
                     for i in range(count))
    return head + items + b"</channel></rss>"


async def _parse(pool: ParsePool, body: bytes):
    return await pool.parse(body, url="https://e.org/feed", content_type="application/rss+xml",
                            source_language="en")


def test_a_feed_past_its_time_is_an_error_and_the_worker_parses_the_next():
    pool = ParsePool(1, seconds=3)  # room for the next feed on a busy machine
    try:
        with pytest.raises(FeedParseError, match="took more than 3 s"):
            asyncio.run(_parse(pool, _many_items(8000)))  # ~8 s of parsing and analysis
        assert len(asyncio.run(_parse(pool, GUARDIAN)).items) == 55
    finally:
        pool.close()


def test_a_killed_worker_costs_only_a_second_parse():
    pool = ParsePool(1, seconds=30)

    async def scenario():
        first = asyncio.ensure_future(_parse(pool, _many_items(1500)))
        while not pool.executor._processes:  # the worker is being spawned
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        for pid in list(pool.executor._processes):
            os.kill(pid, signal.SIGKILL)
        return await first

    try:
        assert len(asyncio.run(scenario()).items) == 1500  # parsed again by a new worker
    finally:
        pool.close()
