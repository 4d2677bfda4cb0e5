"""`python -m bench.crawl [--feeds N]`: the crawler against N generated feeds on loopback.

Measures, in one run: the first crawl (fetch, parse, sanitize, everything the crawler
does, into a fresh SQLite store), a second crawl where every feed answers 304 — each
run as `rabkor crawl`, the command users run, in its own process tree — and a
baseline — a plain sequential loop that downloads each feed with httpx and calls
feedparser.parse() on the bytes — on a subset of feeds, extrapolated to N. The feed
farm (bench/crawl/farm.py) runs in its own process; on a 2-core machine it still
competes with the crawler for CPU, which makes the crawler's figures pessimistic.
With `--hostile P` each run adds a first crawl of a farm where P % of the feeds are
hostile (bench/crawl/farm.py says how), and counts the good sources that failed.
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


def _processes() -> dict[int, tuple[int, int, str, float]]:
    """pid → (ppid, RSS in bytes, role, CPU seconds) of every process we may read."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
        except OSError:
            continue
        role = next((name for marker, name in ROLES if marker in cmdline), "other")
        # fields[1]: ppid; fields[11], [12]: user and system time in ticks; [21]: RSS pages
        found[int(entry.name)] = (int(fields[1]), int(fields[21]) * PAGE, role,
                                  (int(fields[11]) + int(fields[12])) / TICKS)
    return found


PAGE, TICKS = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")
ROLES = (("rabkor.crawler.process", "crawler child"), ("resource_tracker", "resource tracker"),
         ("multiprocessing", "parse worker"), ("rabkor.app.cli", "rabkor crawl"))


class TreeMemory:
    """Samples the RSS of `root` and its descendants every `interval` seconds: the peak of
    their sum, and each process's own peak (by role: the `rabkor crawl` command, its
    crawler child, the parse workers)."""

    def __init__(self, root: int, interval: float = 0.1) -> None:
        self.root, self.interval, self.peak = root, interval, 0
        self.peaks: dict[int, tuple[str, int]] = {}
        self.cpu: dict[int, float] = {}  # each process's CPU seconds when last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            processes = _processes()
            children: dict[int, list[int]] = {}
            for pid, (ppid, *_) in processes.items():
                children.setdefault(ppid, []).append(pid)
            total, todo = 0, [self.root]
            while todo:
                pid = todo.pop()
                if pid in processes:
                    _, rss, role, self.cpu[pid] = processes[pid]
                    total += rss
                    self.peaks[pid] = (role, max(rss, self.peaks.get(pid, ("", 0))[1]))
                todo += children.get(pid, [])
            self.peak = max(self.peak, total)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20

    def by_role(self) -> str:
        """Each process's peak MB, e.g. "rabkor crawl 71, crawler child 160, parse worker 98"."""
        order = [role for _, role in reversed(ROLES)]
        peaks = sorted(self.peaks.values(),
                       key=lambda p: order.index(p[0]) if p[0] in order else len(order))
        return ", ".join(f"{role} {rss / 2**20:.0f}" for role, rss in peaks)

    def cpu_by_role(self) -> str:
        """CPU seconds by role, as last sampled (a process's last 0.1 s may be missing)."""
        roles: dict[str, float] = {}
        for pid, seconds in self.cpu.items():
            role = self.peaks[pid][0]
            roles[role] = roles.get(role, 0.0) + seconds
        return ", ".join(f"{role} {seconds:.1f}" for role, seconds in roles.items())


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


def timed_crawl(name: str, config: Path, store: Store, feeds: int,
                hostile: tuple[str, ...] = ()) -> Figures:
    """`rabkor crawl` as users run it, in its own process: its time, the CPU seconds of
    its whole tree (it waits for the crawler child, which waits for its workers) and the
    peak of the tree's summed memory."""
    with store.read() as s:
        before = s.scalar(select(func.count(Item.id)))
    cpu, start = cpu_seconds(), time.perf_counter()
    command = subprocess.Popen([sys.executable, "-m", "rabkor.app.cli", "--config",
                                str(config), "crawl"], stdout=subprocess.PIPE, text=True)
    while "rabkor.app.cli" not in Path(f"/proc/{command.pid}/cmdline").read_text(
            errors="replace") and command.poll() is None:
        time.sleep(0.001)  # until exec: before, the fork is a copy of this process
    memory = TreeMemory(command.pid)
    output, _ = command.communicate()
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    memory.stop()
    if command.returncode != 0:
        raise SystemExit(f"rabkor crawl failed ({command.returncode}): {output}")
    with store.read() as s:
        stored = s.scalar(select(func.count(Item.id)))
        failing = list(s.scalars(select(Source.feed_url).where(Source.last_error.isnot(None))))
    said = next((line.strip() for line in output.splitlines() if "new items from" in line), "")
    good_failing = len([url for url in failing if url not in hostile])
    note = (f"{said}; {len(failing)} failing ({good_failing} good ones); {stored} items "
            f"stored; peak MB {memory.by_role()}; cpu s {memory.cpu_by_role()}")
    return Figures(name, feeds, stored - before, seconds, cpu, memory.peak_mb, note)


HEADER = (f"{'':<22}{'feeds':>7}{'items':>8}{'seconds':>9}{'feeds/s':>9}{'items/s':>9}"
          f"{'cpu s':>8}{'peak MB':>9}")


def one_run(args: argparse.Namespace) -> list[Figures]:
    """Baseline, first crawl and 304 re-crawl against a fresh farm and a fresh store; and
    with --hostile, a first crawl of a farm with hostile feeds among the good ones."""
    rows = farm_run(args, 0.0)
    if args.hostile:
        rows += farm_run(args, args.hostile)
    return rows


def farm_run(args: argparse.Namespace, hostile: float) -> list[Figures]:
    farm = subprocess.Popen([sys.executable, "-m", "bench.crawl.farm", "--feeds",
                             str(args.feeds), "--delay", str(args.delay), "--hostile",
                             str(hostile)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        served = json.loads(farm.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), secret_key="bench",
                                allowed_loopback=tuple(served["hosts"]))
            config = Path(tmp) / "rabkor.toml"
            config.write_text(f'data_dir = "{tmp}"\nsecret_key = "bench"\n'
                              f'allowed_loopback = {json.dumps(served["hosts"])}\n')
            store = Store(settings)
            store.migrate()
            with store.transaction() as s:
                # the farm's article links point nowhere: full text (crawler/fetch/pages.py)
                # is a separate cost, measured apart; this is the feed crawl
                s.add_all(Source(feed_url=url, full_text=False) for url in served["urls"])
            if hostile:
                name = f"first, {hostile:g} % hostile"
                rows = [timed_crawl(name, config, store, args.feeds, tuple(served["hostile"]))]
            else:
                rows = [baseline(served["urls"][:args.baseline_feeds], args.feeds)]
                rows.append(timed_crawl("first crawl", config, store, args.feeds))
                with store.transaction() as s:
                    s.execute(update(Source).values(next_fetch_at=None))
                rows.append(timed_crawl("304 re-crawl", config, store, args.feeds))
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
    if len(rows) > 3:
        print(f"with hostile feeds vs clean first crawl: {rows[3].seconds / rows[1].seconds:.2f}x"
              " the time", flush=True)


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
    parser.add_argument("--hostile", type=float, default=0.0,
                        help="also crawl a farm where this percent of the feeds is hostile")
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
    print(f"delay {args.delay:g} s per answer; crawls run `rabkor crawl`; cpu s: its whole "
          "process tree (rusage of reaped processes); peak MB: summed RSS of that tree "
          "(the command, its crawler child, the parse workers), sampled every 0.1 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
