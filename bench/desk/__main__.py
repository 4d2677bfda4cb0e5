"""The editorial desk at the design's scale, through HTTP as an editor's browser meets it.

    .venv/bin/python -m bench.desk [--items 100000] [--pending 20000] [--sources 500]

A SQLite store of `--items` items from `--sources` sources (ten tendencies, eight
languages, four kinds, dates over three years), `--pending` of them waiting, each pending
item with an English title translation; the editor app served by uvicorn on 127.0.0.1 in
this process, one logged-in editor, requests from httpx, one at a time. Timed: queue pages
(unfiltered; filtered by language and source; a deep page, reached by 299 Next links;
words through the search index, which is built first), single decisions, bulk approval
of 500 items, and the source directory's pages with `--directory` sources (a cursor 100
pages deep, words). The
search index's update after each decision runs after the response (a background task)
and is not in the figures, as it is not in the editor's wait. Last, the desk's rules: 300
of them (100 keyword lists of five words per language, 100 patterns, 50 trusted sources,
50 blocked domains) read every pending item (`apply_rules`, as the pipeline runs it after
each crawl): the time per item, over the whole queue (a re-run) and on the items of
seven crawls just stored, wall and CPU (the CPU time is what bench/crawl counts of the
crawler's storing child, and it holds on a busy machine).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).parents[2]
LANGS = ["en", "es", "fr", "de", "pt", "ru", "zh", "ar"]
KINDS = ["article"] * 7 + ["audio", "video", "lecture"]
WORDS = ["strike", "dockers", "union", "port", "wages", "housing", "rent", "tenants",
         "health", "nurses", "climate", "miners", "teachers", "factory", "general",
         "assembly", "march", "workers", "council"]
SEED = 11


def build(settings, items: int, pending: int, sources: int) -> None:
    from sqlalchemy import insert

    from rabkor.core.accounts import create_user
    from rabkor.core.store.db import open_store
    from rabkor.core.store.models import Item, Source, Translation

    rng = random.Random(SEED)
    store = open_store(settings)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with store.transaction() as s:
        s.execute(insert(Source), [
            {"feed_url": f"https://source{n}.example.org/feed", "title": f"Source {n:03d}",
             "category": f"tendency {n % 10}", "language": LANGS[n % len(LANGS)]}
            for n in range(1, sources + 1)])
        create_user(s, "edith", "a long password", "editor")
    waiting = set(rng.sample(range(items), pending))
    rows, translations = [], []
    for n in range(items):
        words = " ".join(rng.choice(WORDS) for _ in range(6))
        rows.append({"source_id": rng.randrange(1, sources + 1), "url": f"https://x.org/{n}",
                     "title": f"{words} {n}", "summary": f"<p>{words} and more {words}.</p>",
                     "language": rng.choice(LANGS), "media_kind": rng.choice(KINDS),
                     "published_at": start + timedelta(minutes=rng.randrange(3 * 525_600)),
                     "status": "pending" if n in waiting else "approved"})
    with store.transaction() as s:
        for part in range(0, items, 10_000):
            s.execute(insert(Item), rows[part:part + 10_000])
    with store.transaction() as s:
        ids = s.execute(Item.__table__.select().with_only_columns(Item.id, Item.status)).all()
        for item_id, status in ids:
            if status == "pending":
                translations.append({"item_id": item_id, "field": "title", "language": "en",
                                     "source_language": "es", "text": "translated title",
                                     "engine": "bench"})
        s.execute(insert(Translation), translations)
    store.close()


class Server:
    """The editor app under uvicorn in a thread, as `rabkor serve` runs it."""

    def __init__(self, app, port: int):
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


def timed(call, times: int) -> list[float]:
    out = []
    for _ in range(times):
        begun = time.perf_counter()
        call()
        out.append((time.perf_counter() - begun) * 1000)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--pending", type=int, default=20_000)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--directory", type=int, default=20_000,
                        help="sources in the directory when its pages are timed")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import httpx

    from bench.search.__main__ import pct
    from rabkor.core.settings import Settings
    from rabkor.core.store.db import Store
    from rabkor.crawler.sources.desk import SourceDesk
    from rabkor.editor.app import create_app
    from rabkor.search.indexer import rebuild_index

    folder = Path(tempfile.mkdtemp(prefix="rabkor-bench-desk-"))
    settings = Settings(data_dir=folder, languages=tuple(LANGS), secret_key="x",
                        trusted_hosts=("127.0.0.1",))
    begun = time.perf_counter()
    build(settings, args.items, args.pending, args.sources)
    store = Store(settings)
    rebuild_index(settings, store)
    print(f"{args.items:,} items ({args.pending:,} pending) from {args.sources} sources, "
          f"built and indexed in {time.perf_counter() - begun:.0f} s", flush=True)
    port = 18_000 + random.randrange(1000)
    with Server(create_app(settings, store, sources=SourceDesk(settings, store)), port), \
            httpx.Client(
            base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        client.post("/login", data={"username": "edith", "password": "a long password",
                                    "csrf_token": token})
        page = client.get("/")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        cursors = ["/"]  # each page's address, from Next links, as an editor pages
        for _ in range(299):
            cursors.append(re.search(r'rel="next" accesskey="n" href="([^"]+)"', client.get(
                cursors[-1]).text).group(1).replace("&amp;", "&"))
        pages = {
            "queue, unfiltered": "/",
            "queue, language + source": "/?original=es&source=7",
            "queue, deep page (300 of 400)": cursors[299],
            "queue, tendency + kind + dates": "/?category=tendency+3&kind=audio"
                                              "&since=2024-06-01&until=2025-06-01",
            "queue, lacks a translation": "/?untranslated=en",
            "queue, words (search index)": "/?q=dockers+strike",
        }
        print("| request | median ms | p95 ms | max ms |", flush=True)
        print("| --- | ---: | ---: | ---: |", flush=True)
        for label, path in pages.items():
            client.get(path)  # warm
            times = timed(lambda p=path: client.get(p).raise_for_status(), args.repeat)
            print(f"| {label} | {statistics.median(times):.1f} | {pct(times, .95):.1f} | "
                  f"{max(times):.1f} |", flush=True)
        pending = [int(i) for i in re.findall(r'name="ids" value="(\d+)"',
                                              client.get("/?sort=oldest").text)]
        decide = iter(pending)
        times = timed(lambda: client.post(f"/items/{next(decide)}/approve",
                                          data={"csrf_token": token, "page": "1"},
                                          follow_redirects=False), min(args.repeat, 40))
        print(f"| one decision (POST, 303) | {statistics.median(times):.1f} | "
              f"{pct(times, .95):.1f} | {max(times):.1f} |", flush=True)
        bulk_times = []
        for page_number in (2, 3, 4):
            ids = []
            for k in range(10):  # 500 ids: ten pages of 50
                ids += re.findall(r'name="ids" value="(\d+)"', client.get(
                    cursors[page_number * 10 + k]).text)
            begun = time.perf_counter()
            client.post("/items/bulk", data={"csrf_token": token, "action": "approve",
                                             "ids": ids[:500]}, follow_redirects=False)
            bulk_times.append((time.perf_counter() - begun) * 1000)
        print(f"| bulk approve of 500 (POST, 303) | {statistics.median(bulk_times):.0f} | "
              f"| {max(bulk_times):.0f} |", flush=True)
        directory_figures(client, store, args.directory, args.repeat)
    print(rules_figures(store, args.sources), flush=True)


def directory_figures(client, store, size: int, repeat: int) -> None:
    """The source directory's pages with `size` sources in it."""
    from sqlalchemy import func, insert, select

    from bench.search.__main__ import pct
    from rabkor.core.store.models import Category, Source

    with store.transaction() as s:
        have = s.scalar(select(func.count()).select_from(Source))
        s.execute(insert(Source), [
            {"feed_url": f"https://dir{n}.example.org/feed", "title": f"Directory source {n}",
             "category": f"tendency {n % 10}", "description": f"the union of trade {n % 97}"}
            for n in range(have, size)])
        s.execute(insert(Category), [{"name": f"tendency {n}", "active": True}
                                     for n in range(10)])
    cursor = "/sources"
    for _ in range(100):  # a hundred pages in: the cursor of page 101
        cursor = re.search(r'rel="next" href="([^"]+)"', client.get(cursor).text).group(1)
    pages = {"directory, first page": "/sources",
             "directory, page 101 (cursor)": cursor.replace("&amp;", "&"),
             "directory, a category": "/sources?category=tendency+3",
             "directory, words": "/sources?q=trade+42",
             "a source's page": "/sources/7"}
    for label, path in pages.items():
        client.get(path).raise_for_status()
        times = timed(lambda p=path: client.get(p).raise_for_status(), repeat)
        print(f"| {label} ({size:,} sources) | {statistics.median(times):.1f} | "
              f"{pct(times, .95):.1f} | {max(times):.1f} |", flush=True)


def rules_figures(store, sources: int) -> str:
    from sqlalchemy import func, select, update

    from rabkor.core.store.models import Item, ItemStatus, User
    from rabkor.editor import rules

    rng = random.Random(SEED + 2)
    with store.transaction() as s:
        admin = s.scalar(select(User))
        admin.role = "admin"
        for n in range(100):
            rules.add_rule(s, admin, kind=rules.KEYWORDS, action=rules.FLAG,
                           label=f"keywords {n}", language=LANGS[n % len(LANGS)],
                           pattern="\n".join(f"{rng.choice(WORDS)}{rng.randrange(99)}"
                                              for _ in range(5)))
            rules.add_rule(s, admin, kind=rules.PATTERN, action=rules.FLAG,
                           label=f"pattern {n}", pattern=rf"(?i)\b{rng.choice(WORDS)} "
                                                         rf"{rng.choice(WORDS)}\b")
        for n in range(50):
            rules.add_rule(s, admin, kind=rules.TRUSTED, action=rules.APPROVE,
                           label=f"trusted {n}", pattern=str(1 + n * 10 % sources))
            rules.add_rule(s, admin, kind=rules.BLOCKED, action=rules.REJECT,
                           label=f"blocked {n}", pattern=f"blocked{n}.example.org",
                           reason_code="spam")
        s.execute(update(Item).where(Item.status == ItemStatus.PENDING).values(ruled_at=None))
        pending = s.scalar(select(func.count()).select_from(Item).where(
            Item.status == ItemStatus.PENDING))
    begun, cpu = time.perf_counter(), time.thread_time()
    report = rules.apply_rules(store)
    seconds, cpu = time.perf_counter() - begun, time.thread_time() - cpu
    whole = (f"rules: 300 rules read {report.read:,} of {pending:,} pending items in "
             f"{seconds:.1f} s ({seconds / max(report.read, 1) * 1e6:,.0f} µs an item, CPU "
             f"{cpu / max(report.read, 1) * 1e6:,.0f}, the store's reads and writes "
             f"included): {report.approved:,} approved, {report.rejected:,} rejected, "
             f"{report.flagged:,} flagged")
    return f"{whole}\n{ingest_figures(store, rules, sources)}"


def ingest_figures(store, rules, sources: int, rounds: int = 7, size: int = 2000) -> str:
    """The rules as the pipeline runs them after a crawl: on the items just stored (at the
    table's end, as a crawl adds them), `rounds` crawls of `size` items each."""
    from sqlalchemy import func, insert, select

    from bench.search.__main__ import pct
    from rabkor.core.store.models import Item

    rng = random.Random(SEED + 3)
    per_item, cpu_per_item = [], []
    for _ in range(rounds):
        with store.transaction() as s:
            first = (s.scalar(select(func.max(Item.id))) or 0) + 1
            rows = []
            for n in range(first, first + size):
                words = " ".join(rng.choice(WORDS) for _ in range(6))
                rows.append({"source_id": rng.randrange(1, sources + 1),
                             "url": f"https://new.example.org/{n}", "title": f"{words} {n}",
                             "summary": f"<p>{words} and more {words}.</p>",
                             "language": rng.choice(LANGS), "media_kind": "article",
                             "published_at": datetime.now(UTC), "status": "pending"})
            s.execute(insert(Item), rows)
        begun, cpu = time.perf_counter(), time.thread_time()
        read = rules.apply_rules(store).read
        per_item.append((time.perf_counter() - begun) / max(read, 1) * 1e6)
        cpu_per_item.append((time.thread_time() - cpu) / max(read, 1) * 1e6)
    return (f"rules at ingest: {rounds} crawls of {size:,} new items each: median "
            f"{statistics.median(per_item):.0f} µs an item, p95 {pct(per_item, .95):.0f}, "
            f"range {min(per_item):.0f}–{max(per_item):.0f}; CPU (this thread, as bench/crawl "
            f"counts the crawler child's) median {statistics.median(cpu_per_item):.0f}, "
            f"range {min(cpu_per_item):.0f}–{max(cpu_per_item):.0f}")

if __name__ == "__main__":
    main()
