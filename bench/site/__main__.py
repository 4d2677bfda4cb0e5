"""The reader's site at the design's scale, under a real load generator.

    .venv/bin/python -m bench.site [--items 100000] [--seconds 20] [--connections 64]
                                   [--workers 1] [--no-cache] [--keep DIR]

A SQLite store of `--items` approved items (eight languages, four kinds, 500 sources in
ten tendencies, dates over three years), each with an English title and summary
translation, indexed for search; served by `rabkor serve` in its own process, as the
README runs it. Beside it in the same run, on the same machine: the site's CSS (a static
file through the same server) and a minimal Starlette + Jinja2 page rendered from the
same SQLite file (bench/site/minimal.py) under the same uvicorn. wrk (Debian's) drives
each route for `--seconds` with `--connections` connections on two threads; the table is
wrk's requests a second and latency percentiles, and the server's resident memory after
all routes (each worker's with `--workers` above 1). `--no-cache` sets page_cache_seconds
to 0, so that every request renders its page afresh, as for the long tail of item pages
that readers rarely ask twice within the cache's seconds. Needs /usr/bin/wrk.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).parents[2]
LANGS = ["en", "es", "fr", "de", "pt", "ru", "zh", "ar"]
KINDS = ["article"] * 7 + ["audio", "video", "lecture"]
WORDS = ["strike", "dockers", "union", "port", "wages", "housing", "rent", "tenants",
         "health", "nurses", "climate", "miners", "teachers", "factory", "workers"]
SEED = 5


def build(folder: Path, items: int) -> None:
    from sqlalchemy import insert, select

    from rabkor.core.settings import Settings
    from rabkor.core.store.db import open_store
    from rabkor.core.store.models import Item, Source, Translation
    from rabkor.search.indexer import rebuild_index

    settings = Settings(data_dir=folder, languages=tuple(LANGS), secret_key="bench")
    rng = random.Random(SEED)
    store = open_store(settings)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    with store.transaction() as s:
        s.execute(insert(Source), [
            {"feed_url": f"https://source{n}.example.org/feed", "title": f"Source {n:03d}",
             "category": f"tendency {n % 10}", "description": "an organisation " * 8}
            for n in range(1, 501)])
    rows = []
    for n in range(items):
        words = " ".join(rng.choice(WORDS) for _ in range(8))
        kind = rng.choice(KINDS)
        rows.append({
            "source_id": rng.randrange(1, 501), "url": f"https://x.org/{n}",
            "title": f"{words} {n}", "summary": f"<p>{words}, and more: {words}.</p>",
            "language": rng.choice(LANGS), "media_kind": kind, "status": "approved",
            "published_at": start + timedelta(minutes=rng.randrange(3 * 525_600)),
            "enclosure_url": f"https://cdn.example.org/{n}.mp3" if kind == "audio" else None,
            "enclosure_type": "audio/mpeg" if kind == "audio" else None})
    with store.transaction() as s:
        for part in range(0, items, 10_000):
            s.execute(insert(Item), rows[part:part + 10_000])
    with store.transaction() as s:
        ids = list(s.scalars(select(Item.id)))
        for part in range(0, len(ids), 10_000):
            s.execute(insert(Translation), [
                {"item_id": i, "field": field, "language": "en", "source_language": "es",
                 "text": text, "engine": "argos", "model_version": "1.9"}
                for i in ids[part:part + 10_000]
                for field, text in (("title", f"translated title {i}"),
                                    ("summary", "a translated summary of the item"))])
    rebuild_index(settings, store)
    store.close()


def wrk(url: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "--timeout", "10s", url], capture_output=True, text=True,
                         check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    found = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {"rate": rate, "p50": found.get("50", "?"), "p99": found.get("99", "?"),
            "errors": int(errors.group(1)) if errors else 0,
            "timeouts": int(timeouts.group(1)) if timeouts else 0}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def server_mb(pid: int) -> str:
    """The server's resident memory: its own, or each worker's when it has workers."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    workers = [int(c) for c in children
               if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
    if not workers:
        return f"{rss_mb(pid):.0f} MB"
    return (f"{' + '.join(f'{rss_mb(w):.0f}' for w in workers)} MB in {len(workers)} workers "
            f"(and {rss_mb(pid):.0f} MB in the parent)")


def started(url: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"the server stopped: {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1, help="the workers setting")
    parser.add_argument("--no-cache", action="store_true", help="render every request")
    parser.add_argument("--keep", type=Path, help="build the store here once, reuse it after")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk: apt-get install wrk")
    sys.path.insert(0, str(ROOT))
    folder = args.keep or Path(tempfile.mkdtemp(prefix="rabkor-bench-site-"))
    if not (folder / "rabkor.db").exists():
        begun = time.perf_counter()
        build(folder, args.items)
        print(f"{args.items:,} items built and indexed in {time.perf_counter() - begun:.0f} s",
              flush=True)
    port, base_port = 18_500 + random.randrange(400), 19_000 + random.randrange(400)
    env = {**os.environ, "RABKOR_DATA_DIR": str(folder), "RABKOR_PORT": str(port),
           "RABKOR_LANGUAGES": ",".join(LANGS), "RABKOR_SECRET_KEY": "bench",
           "RABKOR_WORKERS": str(args.workers),
           "RABKOR_PAGE_CACHE_SECONDS": "0" if args.no_cache else "10"}
    rabkor = subprocess.Popen([str(ROOT / ".venv/bin/rabkor"), "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    minimal = subprocess.Popen([sys.executable, "-m", "bench.site.minimal",
                                str(folder / "rabkor.db"), str(base_port)], cwd=ROOT)
    try:
        site = f"http://127.0.0.1:{port}"
        started(f"{site}/en/", rabkor)
        started(f"http://127.0.0.1:{base_port}/", minimal)
        deep = f"{site}/en/latest"
        for _ in range(100):  # the cursor of page 101
            deep = site + re.search(r'rel="next" href="([^"]+)"', httpx.get(deep).text
                                    ).group(1).replace("&amp;", "&")
        item = re.search(r'href="(/en/items/\d+)"', httpx.get(f"{site}/en/").text).group(1)
        routes = {
            "minimal Starlette page (baseline)": f"http://127.0.0.1:{base_port}/",
            "static file (site.css)": f"{site}/static/site.css",
            "home /en/": f"{site}/en/",
            "listing, page 101 by cursor": deep,
            "item page": site + item,
            "search ?q=workers": f"{site}/en/search?q=workers",
            "Atom feed /en/feed.atom": f"{site}/en/feed.atom",
            "podcast feed /en/kinds/audio/feed.rss": f"{site}/en/kinds/audio/feed.rss",
            "API /api/v1/items?lang=en": f"{site}/api/v1/items?lang=en",
        }
        print(f"wrk -t2 -c{args.connections} -d{args.seconds}s, workers={args.workers}, "
              f"{'no page cache' if args.no_cache else 'page cache'}; idle "
              f"server {server_mb(rabkor.pid)}", flush=True)
        print("| route | req/s | p50 | p99 | errors | timeouts |", flush=True)
        print("| --- | ---: | ---: | ---: | ---: | ---: |", flush=True)
        for label, url in routes.items():
            httpx.get(url, timeout=30).raise_for_status()
            r = wrk(url, args.seconds, args.connections)
            print(f"| {label} | {r['rate']:,.0f} | {r['p50']} | {r['p99']} | {r['errors']} | "
                  f"{r['timeouts']} |", flush=True)
        print(f"server resident memory after the load: {server_mb(rabkor.pid)}", flush=True)
    finally:
        for process in (rabkor, minimal):
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
