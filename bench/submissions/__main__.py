"""`python -m bench.submissions [--pages N]`: correspondents' links processed from loopback
(crawler/submissions: fetch through the guard, extraction, duplicate check, store) beside
the crawler's own full-text fetch of the same pages, in one run.

The pages are the real article pages of ../shared/data/pages (mozilla/readability's
test pages and newspaper4k's, 160 in all), each served at N / 160 addresses (/p/<n>.html)
by a threaded server in this process, so past the first 160 most links are copies that
the duplicate check settles (by their text's SimHash: each address differs). Each side
runs in a process of its own on a fresh SQLite store, and reports its wall time and peak
memory (its own and its children's: the crawl's Scrapy process): "submissions" takes N
received submissions and calls process_submissions until none is left; "crawler" adds
one summary-only feed listing the same N addresses with full text on and crawls it
(`full_text_pages` = N), which fetches every page through Scrapy and extracts it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).resolve().parents[3] / "shared" / "data" / "pages"


def real_pages() -> list[bytes]:
    found = sorted(PAGES.glob("mozilla-readability-test-pages/*/source.html*")) + sorted(
        PAGES.glob("newspaper4k-testdata/html/*.html*"))
    return [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
            for p in found]


def serve(pages: list[bytes], count: int) -> tuple[ThreadingHTTPServer, str]:
    host = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            path = self.path.split("?")[0]
            if path == "/feed.xml":
                body, kind = feed(host["base"], count), "application/rss+xml"
            elif path.startswith("/p/") and path.endswith(".html"):
                body = pages[int(path[3:-5]) % len(pages)]
                kind = "text/html; charset=utf-8"
            else:
                body, kind = b"not found", "text/plain"
            self.send_response(200 if kind != "text/plain" else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    host["base"] = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, host["base"]


def feed(base: str, count: int) -> bytes:
    when = format_datetime(datetime.now(UTC))
    items = "".join(f"<item><title>Page {n}</title><link>{base}/p/{n}.html</link>"
                    f"<guid>{base}/p/{n}.html</guid><description>Page {n}</description>"
                    f"<pubDate>{when}</pubDate></item>" for n in range(count))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>'
            f"<link>{escape(base)}/</link>{items}</channel></rss>").encode()


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def run_part(part: str, base: str, count: int) -> dict:
    """One side, in this (child) process, on a fresh store."""
    from sqlalchemy import func, select

    from rabkor.core import submissions
    from rabkor.core.settings import Settings
    from rabkor.core.store.db import Store
    from rabkor.core.store.models import Item, Source, Submission

    data = Path(tempfile.mkdtemp(prefix=f"bench-{part}-"))
    hostport = base.removeprefix("http://")
    settings = Settings(data_dir=data, secret_key="bench", languages=("en",),
                        allowed_loopback=(hostport,), full_text_pages=count,
                        fetch_timeout=30.0)
    store = Store(settings)
    store.migrate()
    started = time.perf_counter()
    if part == "submissions":
        from rabkor.crawler.submissions.process import process_submissions

        with store.transaction() as s:
            s.add_all([submissions.received(Submission(url=f"{base}/p/{n}.html", note="x"))
                       for n in range(count)])
        started = time.perf_counter()
        report = {"items": 0, "duplicates": 0, "offered": 0, "failed": 0}
        while True:
            done = process_submissions(settings, store)
            if not done.processed:
                break
            for key in report:
                report[key] += getattr(done, key)
    else:
        from rabkor.crawler.run import crawl

        with store.transaction() as s:
            s.add(Source(feed_url=f"{base}/feed.xml", full_text=True))
        started = time.perf_counter()
        crawled = crawl(settings, store)
        with store.read() as s:
            texts = s.scalar(select(func.count()).select_from(Item).where(Item.content != ""))
            copies = s.scalar(select(func.count()).select_from(Item).where(
                Item.duplicate_of_id.is_not(None)))
        report = {"items": crawled.new_items, "with_text": texts, "copies": copies}
    seconds = time.perf_counter() - started
    return {"part": part, "pages": count, "seconds": seconds,
            "pages_per_second": count / seconds, "peak_mb": peak_mb(), **report}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.submissions")
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--part", choices=["submissions", "crawler"], help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        print(json.dumps(run_part(args.part, args.base, args.pages)))
        return 0
    pages = real_pages()
    httpd, base = serve(pages, args.pages)
    print(f"{len(pages)} real pages served at {args.pages} addresses on {base}")
    for part in ("submissions", "crawler"):
        out = subprocess.run([sys.executable, "-m", "bench.submissions", "--part", part,
                              "--base", base, "--pages", str(args.pages)],
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        extra = {k: v for k, v in result.items()
                 if k not in ("part", "pages", "seconds", "pages_per_second", "peak_mb")}
        print(f"{part:<12} {result['seconds']:7.1f} s {result['pages_per_second']:7.1f} "
              f"pages/s  peak {result['peak_mb']:5.0f} MB  {extra}")
    httpd.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
