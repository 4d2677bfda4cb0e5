"""Crash safety: a crawl killed with SIGKILL mid-way leaves only whole sources behind (each
source's items and fetch state are one transaction), and a re-run completes the rest
without a single duplicate."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text

from rabkor.core.store.models import Item, Source
from rabkor.crawler.run import crawl
from tests.crawler.conftest import add_feeds

FEEDS, ITEMS = 200, 5


@pytest.fixture
def farm() -> Iterator[dict]:
    """200 generated feeds on two loopback hosts, each answer 0.1 s late (bench.crawl.farm)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.crawl.farm", "--feeds", str(FEEDS), "--items",
         str(ITEMS), "--delay", "0.1", "--hosts", "2"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    yield json.loads(proc.stdout.readline())
    proc.stdin.close()
    proc.wait(timeout=10)


def _counts(store) -> tuple[int, int]:
    with store.read() as s:
        fetched = s.scalar(select(func.count()).where(Source.last_fetched_at.is_not(None)))
        return fetched, s.scalar(select(func.count(Item.id)))


def test_a_killed_crawl_keeps_whole_sources_and_a_rerun_adds_no_duplicates(
        store, settings, farm, tmp_path):
    settings = settings.with_(allowed_loopback=tuple(farm["hosts"]), fetch_timeout=30.0)
    add_feeds(store, *farm["urls"])
    env = {**os.environ, "RABKOR_DATA_DIR": str(settings.data_dir),
           "RABKOR_ALLOWED_LOOPBACK": ",".join(farm["hosts"]),
           "RABKOR_FETCH_TIMEOUT": "30", "RABKOR_CONFIG": str(tmp_path / "none.toml")}
    crawler = subprocess.Popen([sys.executable, "-m", "rabkor.core.cli", "crawl"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)  # its Scrapy child too
    deadline = time.monotonic() + 60
    while _counts(store)[0] < FEEDS // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(crawler.pid, signal.SIGKILL)
    crawler.wait()

    fetched_before, items_before = _counts(store)
    assert FEEDS // 4 <= fetched_before < FEEDS, "the kill did not land mid-crawl"
    with store.read() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        for source in s.scalars(select(Source)):
            stored = s.scalar(select(func.count(Item.id)).where(Item.source_id == source.id))
            if source.last_fetched_at is None:  # untouched: no items, no half state
                assert (stored, source.etag, source.next_fetch_at) == (0, None, None)
            else:  # whole: every item, its validators, its next fetch
                assert source.last_error is None and stored == ITEMS
                assert source.etag and source.next_fetch_at and source.items_per_day
    assert items_before == fetched_before * ITEMS

    report = crawl(settings, store)
    assert report.sources == FEEDS - fetched_before  # the stored ones are not due again
    assert report.errors == {} and report.new_items == (FEEDS - fetched_before) * ITEMS
    with store.read() as s:
        assert s.scalar(select(func.count(Item.id))) == FEEDS * ITEMS
        distinct = select(Item.source_id, Item.guid).distinct().subquery()
        assert s.scalar(select(func.count()).select_from(distinct)) == FEEDS * ITEMS
        assert s.scalar(select(func.count()).where(Source.last_fetched_at.is_(None))) == 0
