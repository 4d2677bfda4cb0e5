"""Readership statistics under load: what the capture costs a page, how fast logs import,
how long a month's report takes over ten million stored views.

    .venv/bin/python -m bench.stats [--part capture|import|report|all] [--items 5000]
                                    [--seconds 15] [--connections 64] [--rounds 3] [--lines 1000000]
                                    [--views 10000000] [--keep DIR]

capture: the site of bench/site with `--items` items served twice by `rabkor serve` (in
their own processes, on the same store, at the same time), statistics off and on; wrk
drives the rendered home page of each in turn, off then on, `--rounds` times, waiting
after each "on" run until the writer has stored it (so it never runs beside the next);
the table gives req/s and p99 of each run, then the medians and each round's spread, and
how many views the capturing server stored.
import: `--lines` lines made by repeating the real log of tests/data/logs, each copy with
its dates shifted (0–6 days) and its keys shifted (a suffix on the address), imported
with `rabkor stats import`'s code; lines per second, then the same file again (nothing
added).
report: a month of `--views` stored views made the same way (imported, so every rollup
is the one the product keeps), then the month's report computed, three times. Needs
/usr/bin/wrk for the capture part.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).parents[2]
REAL_LOG = ROOT / "tests" / "data" / "logs" / "apache_logs.gz"
STAMP = re.compile(rb"\[(\d{2})/May/2015")


def make_log(path: Path, lines: int) -> int:
    """The real log repeated until `lines`, copy k shifted by k % 7 days and keyed apart;
    the addresses only ever reach this temporary file and the hash."""
    with gzip.open(REAL_LOG, "rb") as log:
        real = log.read().splitlines(keepends=True)
    written = copy = 0
    with path.open("wb") as out:
        while written < lines:
            shift = copy % 7
            for raw in real[: lines - written]:
                address, rest = raw.split(b" ", 1)
                rest = STAMP.sub(lambda m, s=shift: b"[%02d/May/2015" % (int(m.group(1)) + s),
                                 rest, count=1)
                out.write(b"%s-%d %s" % (address, copy, rest))
                written += 1
            copy += 1
    return written


def _store(folder: Path):
    from rabkor.core.settings import Settings
    from rabkor.core.store.db import open_store

    settings = Settings(data_dir=folder, secret_key="bench")
    return settings, open_store(settings)


def bench_import(folder: Path, lines: int) -> None:
    from rabkor.stats.importer import import_logs

    log = folder / "access.log"
    made = make_log(log, lines)
    settings, store = _store(folder / "import")
    begun = time.perf_counter()
    done = import_logs(store, settings, [log])
    took = time.perf_counter() - begun
    print(f"import: {made:,} lines ({log.stat().st_size / 1e6:.0f} MB) in {took:.1f} s: "
          f"{made / took:,.0f} lines/s; {done.imported:,} views, "
          f"{sum(done.skipped.values()):,} skipped", flush=True)
    begun = time.perf_counter()
    again = import_logs(store, settings, [log])
    took = time.perf_counter() - begun
    print(f"import again: {again.already:,} lines known, {again.imported} added, "
          f"in {took:.1f} s", flush=True)
    store.close()


def bench_report(folder: Path, views: int) -> None:
    from sqlalchemy import func, select

    from rabkor.core.store.models import PageView, StatsVisitor
    from rabkor.stats.importer import import_logs
    from rabkor.stats.report import compute_report

    settings, store = _store(folder / "report")
    with store.read() as s:
        stored = s.scalar(select(func.count()).select_from(PageView))
    if stored < views:
        log = folder / "month.log"
        make_log(log, views)
        begun = time.perf_counter()
        import_logs(store, settings, [log])
        print(f"report: {views:,} views imported in {time.perf_counter() - begun:.0f} s",
              flush=True)
        log.unlink()
    with store.read() as s:
        stored = s.scalar(select(func.count()).select_from(PageView))
        keys = s.scalar(select(func.count()).select_from(StatsVisitor))
    size = (folder / "report" / "rabkor.db").stat().st_size / 1e9
    print(f"report: {stored:,} views of 2015-05, {keys:,} visitor keys, database "
          f"{size:.1f} GB", flush=True)
    for run in range(3):
        begun = time.perf_counter()
        with store.read() as s:
            found = compute_report(s, "2015-05")
        print(f"report run {run + 1}: {time.perf_counter() - begun:.2f} s "
              f"({found['readers']:,} readers, {found['excluded']['robot_hits']:,} robot "
              f"hits, {found['excluded']['behaviour_robots']:,} robots by behaviour)",
              flush=True)
    store.close()


def _stored(data: Path) -> int:
    import sqlite3

    with sqlite3.connect(data / "rabkor.db", timeout=30) as db:
        return db.execute("SELECT count(*) FROM page_views").fetchone()[0]


def _caught_up(data: Path) -> float:
    """Seconds until the writer has stored what the round sent (the count stops growing):
    the next round must not share the cores with it."""
    begun, last = time.perf_counter(), -1
    while (now := _stored(data)) != last:
        last = now
        time.sleep(1.5)
    return time.perf_counter() - begun - 1.5


def bench_capture(folder: Path, items: int, seconds: int, connections: int,
                  rounds: int) -> None:
    from statistics import median

    from bench.site.__main__ import build, started, wrk

    data = folder / "site"
    if not (data / "rabkor.db").exists():
        build(data, items)
    ports = {False: 18_100 + random.randrange(300), True: 18_500 + random.randrange(300)}
    servers = {}
    for enabled, port in ports.items():
        env = {**os.environ, "RABKOR_DATA_DIR": str(data), "RABKOR_PORT": str(port),
               "RABKOR_LANGUAGES": "en,es,fr,de,pt,ru,zh,ar", "RABKOR_SECRET_KEY": "bench",
               "RABKOR_STATS_ENABLED": str(enabled).lower()}
        servers[enabled] = subprocess.Popen([str(ROOT / ".venv/bin/rabkor"), "serve"],
                                            env=env, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL)
    sent = 0
    before = _stored(data) if (data / "rabkor.db").exists() else 0
    try:
        for enabled, port in ports.items():
            started(f"http://127.0.0.1:{port}/en/", servers[enabled])
        print(f"capture: home page /en/ of {items:,} items, wrk -t2 -c{connections} "
              f"-d{seconds}s, page cache on, {rounds} rounds off then on", flush=True)
        print("| round | statistics | req/s | p50 | p99 | errors | writer caught up |",
              flush=True)
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |", flush=True)
        found: dict[bool, list[dict]] = {False: [], True: []}
        for round_ in range(1, rounds + 1):
            for enabled in (False, True):
                url = f"http://127.0.0.1:{ports[enabled]}/en/"
                httpx.get(url).raise_for_status()
                r = wrk(url, seconds, connections)
                found[enabled].append(r)
                late = f"{_caught_up(data):.1f} s later" if enabled else ""
                sent += round(r["rate"] * seconds) + 1 if enabled else 0
                print(f"| {round_} | {'on' if enabled else 'off'} | {r['rate']:,.0f} | "
                      f"{r['p50']} | {r['p99']} | {r['errors']} | {late} |", flush=True)
        pairs = zip(found[False], found[True], strict=True)
        costs = sorted(1 - on["rate"] / off["rate"] for off, on in pairs)
        rate = {enabled: median(r["rate"] for r in runs) for enabled, runs in found.items()}
        print(f"capture: median req/s off {rate[False]:,.0f}, on {rate[True]:,.0f} "
              f"({1 - rate[True] / rate[False]:+.1%} slower); each round's cost median "
              f"{median(costs):+.1%}, from {costs[0]:+.1%} to {costs[-1]:+.1%}", flush=True)
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(30)
    from sqlalchemy import func, select

    from rabkor.core.store.models import StatsMonth

    store = _store(data)[1]
    with store.read() as s:
        dropped = s.scalar(select(func.sum(StatsMonth.dropped_views))) or 0
    print(f"capture: {_stored(data) - before:,} views stored (about {sent:,} requests sent "
          f"to it, less the warm-up), {dropped:,} dropped in all runs", flush=True)
    store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["capture", "import", "report", "all"],
                        default="all")
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--views", type=int, default=10_000_000)
    parser.add_argument("--keep", type=Path, help="make the data here once, reuse it after")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    folder = args.keep or Path(tempfile.mkdtemp(prefix="rabkor-bench-stats-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at the start", flush=True)
    try:
        if args.part in ("capture", "all"):
            if shutil.which("wrk") is None:
                raise SystemExit("needs wrk: apt-get install wrk")
            bench_capture(folder, args.items, args.seconds, args.connections, args.rounds)
        if args.part in ("import", "all"):
            bench_import(folder, args.lines)
        if args.part in ("report", "all"):
            bench_report(folder, args.views)
    finally:
        print(f"load {os.getloadavg()[0]:.2f} at the end", flush=True)
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
