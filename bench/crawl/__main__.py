"""`python -m bench.crawl [--feeds N]`: the crawler against N generated feeds on loopback.

Measures, in one run: the first crawl (fetch, parse, sanitize, everything the crawler
does, into a fresh SQLite store), a second crawl where every feed answers 304, and a
baseline — a plain sequential loop that downloads each feed with httpx and calls
feedparser.parse() on the bytes — on a subset of feeds, extrapolated to N. The feed
farm (bench/crawl/farm.py) runs in its own process; on a 2-core machine it still
competes with the crawler for CPU, which makes the crawler's figures pessimistic.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import feedparser
import httpx
from sqlalchemy import func, select, update

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, Source
from rabkor.crawler.run import crawl


@dataclass
class Figures:
    name: str
    feeds: int
    items: int
    seconds: float
    cpu: float | None = None
    peak_mb: float | None = None
    note: str = ""

    def row(self) -> str:
        cpu = "" if self.cpu is None else f"{self.cpu:.1f}"
        peak = "" if self.peak_mb is None else f"{self.peak_mb:.0f}"
        return (f"{self.name:<22}{self.feeds:>7}{self.items:>8}{self.seconds:>9.1f}"
                f"{self.feeds / self.seconds:>9.1f}{self.items / self.seconds:>9.0f}"
                f"{cpu:>8}{peak:>9}  {self.note}")


def cpu_seconds() -> float:
    """CPU time of this process and every child it has waited for."""
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                  resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _tree_rss(root: int, skip: int) -> int:
    """Sum of the RSS (bytes) of `root` and its descendants, leaving out `skip`'s subtree."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)  # fields[1]: ppid
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # fields[21]: rss pages
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid == skip:
            continue
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


class TreeMemory:
    """Samples the summed RSS of this process and its descendants (the crawler child and
    its parse workers; the farm excluded) every `interval` seconds; `peak_mb` is the max."""

    def __init__(self, skip: int, interval: float = 0.1) -> None:
        self.skip, self.interval, self.peak = skip, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, _tree_rss(os.getpid(), self.skip))

    def __enter__(self) -> TreeMemory:
        self.peak = _tree_rss(os.getpid(), self.skip)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20


def baseline(urls: list[str], total: int) -> Figures:
    """Download and feedparser.parse() each feed in turn; extrapolated to `total` feeds."""
    items, cpu, start = 0, cpu_seconds(), time.perf_counter()
    with httpx.Client(timeout=30) as client:
        for url in urls:
            items += len(feedparser.parse(io.BytesIO(client.get(url).content)).entries)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    scale = total / len(urls)
    return Figures("sequential baseline", total, round(items * scale), seconds * scale,
                   cpu * scale, note=f"measured on {len(urls)} feeds, x{scale:g}")


def timed_crawl(name: str, settings: Settings, store: Store, ids: list[int] | None,
                feeds: int, farm_pid: int) -> Figures:
    with TreeMemory(farm_pid) as memory:
        cpu, start = cpu_seconds(), time.perf_counter()
        report = crawl(settings, store, source_ids=ids)
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    with store.read() as s:
        stored = s.scalar(select(func.count(Item.id)))
    note = f"{report.sources_fetched} fetched, {report.not_modified} not modified, " \
           f"{len(report.errors)} errors, {stored} items stored"
    if report.errors:
        note += f"; first error: {next(iter(report.errors.values()))}"
    return Figures(name, feeds, report.new_items, seconds, cpu, memory.peak_mb, note)


HEADER = (f"{'':<22}{'feeds':>7}{'items':>8}{'seconds':>9}{'feeds/s':>9}{'items/s':>9}"
          f"{'cpu s':>8}{'peak MB':>9}")


def one_run(args: argparse.Namespace) -> list[Figures]:
    """Baseline, first crawl and 304 re-crawl against a fresh farm and a fresh store."""
    farm = subprocess.Popen([sys.executable, "-m", "bench.crawl.farm", "--feeds",
                             str(args.feeds), "--delay", str(args.delay)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        served = json.loads(farm.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), secret_key="bench",
                                allowed_loopback=tuple(served["hosts"]))
            store = Store(settings)
            store.migrate()
            with store.transaction() as s:
                # the farm's article links point nowhere: full text (crawler/fulltext.py)
                # is a separate cost, measured apart; this is the feed crawl
                s.add_all(Source(feed_url=url, full_text=False) for url in served["urls"])
            rows = [baseline(served["urls"][:args.baseline_feeds], args.feeds)]
            rows.append(timed_crawl("first crawl", settings, store, None, args.feeds,
                                    farm.pid))
            with store.transaction() as s:
                s.execute(update(Source).values(next_fetch_at=None))
            rows.append(timed_crawl("304 re-crawl", settings, store, None, args.feeds,
                                    farm.pid))
            store.close()
    finally:
        farm.stdin.close()
        farm.wait(timeout=30)
    return rows


def print_rows(rows: list[Figures]) -> None:
    print(HEADER)
    for row in rows:
        print(row.row())
    print(f"first crawl vs baseline: {rows[0].seconds / rows[1].seconds:.1f}x faster",
          flush=True)


def median_rows(runs: list[list[Figures]]) -> list[Figures]:
    """Per row, the median of each figure over the runs (notes from the median-time run)."""
    def med(values: list[float | None]) -> float | None:
        return None if None in values else statistics.median(values)  # type: ignore[type-var]

    medians = []
    for same in zip(*runs, strict=True):
        by_time = sorted(same, key=lambda f: f.seconds)
        medians.append(Figures(
            same[0].name, same[0].feeds, round(statistics.median(f.items for f in same)),
            statistics.median(f.seconds for f in same), med([f.cpu for f in same]),
            med([f.peak_mb for f in same]), by_time[len(by_time) // 2].note))
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--baseline-feeds", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f}; {os.cpu_count()} cores", flush=True)
    runs = []
    for n in range(args.runs):
        runs.append(one_run(args))
        print(f"run {n + 1} of {args.runs} (load {os.getloadavg()[0]:.2f}):")
        print_rows(runs[-1])
    if args.runs > 1:
        print(f"median of {args.runs} runs:")
        print_rows(median_rows(runs))
    print(f"delay {args.delay:g} s per answer; cpu s: the crawl's parent + child + parse "
          "workers (rusage of reaped processes); peak MB: summed RSS of the whole process "
          "tree (bench process, crawler child, parse workers; farm excluded), sampled "
          "every 0.1 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
