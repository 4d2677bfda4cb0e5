"""`rabkor stats import` on the real log and on lines made to be wrong: what is counted,
what is skipped and why, and that a file imported twice counts once."""

from __future__ import annotations

import gzip
import re
import tracemalloc
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from rabkor.core.store.db import Store
from rabkor.core.store.models import PageView, StatsVisitor
from rabkor.stats.classify import classify_agent
from rabkor.stats.importer import import_logs
from rabkor.stats.report import report
from tests.stats.conftest import BROWSER, GOOGLEBOT, REAL_LOG, line, write_log

FIELDS = re.compile(r'(\S+) \S+ \S+ \[[^\]]+\] "(\S+) (\S+) [^"]*" (\d{3}) \S+ "[^"]*" "([^"]*)"')


def _views(store) -> int:
    with store.read() as s:
        return s.scalar(select(func.count()).select_from(PageView))


def test_the_real_log_imports_once_and_its_cut_line_is_skipped(settings, store):
    done = import_logs(store, settings, [REAL_LOG])
    assert (done.lines, done.imported) == (10_000, 9_999)
    assert done.skipped == Counter({"not a combined or common log line": 1})
    assert done.examples[0][1:3] == (8899, "not a combined or common log line")
    again = import_logs(store, settings, [REAL_LOG])
    assert (again.imported, again.already) == (0, 10_000)
    assert _views(store) == 9_999


def test_robots_by_agent_and_behaviour_are_found_in_the_real_log(settings, store):
    """Googlebot's hits are robot hits; a key that fetched robots.txt with a browser's
    user agent is a robot by behaviour; the feed reader (UniversalFeedParser) is a reader."""
    import_logs(store, settings, [REAL_LOG])
    robot_hits = robots_txt = feed_reader = 0
    with gzip.open(REAL_LOG, "rt", encoding="utf-8") as log:
        for raw in log:
            found = FIELDS.match(raw)
            if found is None:
                continue
            agent = found.group(5)
            robot_hits += classify_agent(agent) == "robot"
            robots_txt += found.group(3) == "/robots.txt"
            feed_reader += "UniversalFeedParser" in agent
    with store.read() as s:
        got = report(s, "2015-05")
        agents = dict(s.execute(select(StatsVisitor.agent, func.count())
                                .group_by(StatsVisitor.agent)).all())
        by_robots_txt = s.scalar(select(func.count()).select_from(StatsVisitor).where(
            StatsVisitor.robots_txt, StatsVisitor.agent != "robot"))
    assert got["excluded"]["robot_hits"] == robot_hits > 1000
    assert robots_txt > 0 and by_robots_txt > 0
    assert got["excluded"]["behaviour_robots"] >= by_robots_txt
    assert feed_reader > 300 and agents["feed"] >= 1
    assert got["readers"] < sum(agents.values()) - agents["robot"]


def test_the_heavy_hitter_of_the_real_log_is_left_out(settings, store, tmp_path: Path):
    """No key of these four days takes 1,000 pages; with the threshold between the two keys
    that took most pages (counted by the test from the log) the first is left out, with
    its pages (a month keeps the threshold it opened with: a second store opens it so)."""
    pages = Counter()
    with gzip.open(REAL_LOG, "rt", encoding="utf-8") as log:
        for raw in log:
            found = FIELDS.match(raw)
            if found and classify_agent(found.group(5)) != "robot" and (
                    found.group(4) in ("200", "304")) and not re.search(
                    r"\.(png|jpg|jpeg|gif|ico|css|js|svg|woff|ttf|pdf|gz|zip|xml|rss|atom)$",
                    found.group(3).split("?")[0].lower()) and found.group(3) != "/robots.txt":
                pages[(found.group(1), found.group(5))] += 1
    (_heaviest, most), (_next, second) = pages.most_common(2)
    threshold = (most + second) // 2
    assert most > threshold >= second
    import_logs(store, settings, [REAL_LOG])
    strict_settings = settings.with_(data_dir=tmp_path / "strict",
                                     stats_heavy_hitter_pages=threshold)
    strict_store = Store(strict_settings)
    strict_store.migrate()
    import_logs(strict_store, strict_settings, [REAL_LOG])
    with store.read() as s, strict_store.read() as t:
        plain, strict = report(s, "2015-05"), report(t, "2015-05")
    strict_store.close()
    assert plain["excluded"]["heavy_hitters"] == 0
    assert strict["excluded"]["heavy_hitters"] == 1
    assert strict["excluded"]["heavy_hitter_pages"] == most
    day_pages = sum(d["pages"] for d in plain["days"]) - sum(d["pages"] for d in strict["days"])
    assert day_pages == most
    assert strict["readers"] == plain["readers"] - 1


def test_bad_lines_are_skipped_counted_and_the_first_shown(settings, store, tmp_path: Path):
    when = "03/Nov/2026:10:00:00 +0000"
    good = line("192.0.2.1", when, "/en/")
    bad = [
        good[:40].encode() + b"\n",  # truncated
        b"2026-11-03T10:00:00 GET /en/ 200\n",  # another format
        line("192.0.2.2", when, "/en/", agent="Mozilla\xff").encode("latin-1"),  # not UTF-8
        line("192.0.2.3", when, "/en/", size=10**15).encode(),  # absurd size
        line("192.0.2.4", "03/Nov/2099:10:00:00 +0000", "/en/").encode(),  # the future
        line("192.0.2.5", "31/Foo/2026:10:00:00 +0000", "/en/").encode(),  # no such month
    ]
    log = write_log(tmp_path / "access.log", good.encode() + b"".join(bad) + good.encode())
    done = import_logs(store, settings, [log])
    assert done.imported == 2 and sum(done.skipped.values()) == 6
    assert done.skipped == Counter({"not a combined or common log line": 2, "invalid UTF-8": 1,
                                    "absurd size": 1, "date in the future": 1,
                                    "unreadable date": 1})
    assert [number for _, number, _, _ in done.examples] == [2, 3, 4, 5, 6]


def test_the_common_format_and_a_growing_file(settings, store, tmp_path: Path):
    """Lines without referrer and agent are read; lines added to a file imported before
    are the only ones the next import adds."""
    common = '192.0.2.9 - - [03/Nov/2026:10:00:00 +0000] "GET /es/ HTTP/1.0" 200 512\n'
    log = write_log(tmp_path / "access.log", [common])
    assert import_logs(store, settings, [log]).imported == 1
    with log.open("a") as more:
        more.write(line("192.0.2.9", "03/Nov/2026:10:01:00 +0000", "/es/latest"))
    again = import_logs(store, settings, [log])
    assert (again.already, again.imported) == (1, 1)
    with store.read() as s:
        got = report(s, "2026-11")
    assert got["departments"][0] == {"department": "es", "readers": 2, "pages": 2,
                                     "feeds": 0, "bytes": 1512}


def test_a_cut_off_gzip_keeps_its_lines_and_says_so(settings, store, tmp_path: Path):
    lines = [line(f"192.0.2.{n % 200}", "03/Nov/2026:10:00:00 +0000", f"/en/items/{n}")
             for n in range(20_000)]
    whole = gzip.compress("".join(lines).encode())
    cut = write_log(tmp_path / "cut.log.gz", whole[: len(whole) // 2])
    done = import_logs(store, settings, [cut])
    assert len(done.broken) == 1 and "ends after line" in done.broken[0]
    assert 0 < done.imported < 20_000
    full = write_log(tmp_path / "full.log.gz", whole)
    rest = import_logs(store, settings, [full])
    assert rest.already == done.lines and rest.imported + done.imported == 20_000
    assert _views(store) == 20_000


def _import_peak(store, settings, log: Path, seen: list) -> tuple[int, int]:
    tracemalloc.start()
    try:
        done = import_logs(store, settings, [log], progress=lambda a, b: seen.append((a, b)))
        return done.imported, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_log_is_streamed_with_progress(settings, store, tmp_path: Path):
    """Memory does not grow with the file: four times the lines (20 MB) take no more than
    a quarter's peak, and less than the file itself; the progress (bytes read) climbs to
    the file's size."""
    def made(name: str, day: int, count: int) -> Path:
        return write_log(tmp_path / name, "".join(
            line(f"198.51.100.{n % 250}", f"{day:02d}/Nov/2026:10:00:00 +0000",
                 f"/de/items/{n % 5000}", agent=BROWSER if n % 3 else GOOGLEBOT)
            for n in range(count)).encode())

    small, large = made("small.log", 4, 30_000), made("large.log", 5, 120_000)
    import_logs(store, settings, [made("warm.log", 3, 100)])  # CrawlerDetect's regexes
    seen: list[tuple[int, int]] = []
    imported, small_peak = _import_peak(store, settings, small, [])
    assert imported == 30_000
    imported, large_peak = _import_peak(store, settings, large, seen)
    assert imported == 120_000
    assert large_peak < 1.5 * small_peak and large_peak < large.stat().st_size
    assert seen[-1] == (large.stat().st_size,) * 2 and len(seen) > 10
    assert [a for a, _ in seen] == sorted(a for a, _ in seen)
