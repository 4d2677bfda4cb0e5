"""The figures checked against an independent tool: GoAccess (Debian's `goaccess`), run on
the same real log. Where the two define a figure alike they must agree exactly; where
Rabkor's definition differs, the test says how and checks Rabkor by hand-computed figures
on a small excerpt."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from rabkor.stats.importer import import_logs
from rabkor.stats.report import report
from tests.stats.conftest import BROWSER, GOOGLEBOT, REAL_LOG, line, write_log

needs_goaccess = pytest.mark.skipif(shutil.which("goaccess") is None,
                                    reason="goaccess is not installed (.ci/run installs it)")


def _goaccess(log: Path, out: Path, *options: str) -> dict:
    subprocess.run(["goaccess", str(log), "--log-format=COMBINED", "--no-global-config",
                    "--4xx-to-unique-count", *options, "-o", str(out)], check=True,
                   capture_output=True, timeout=120)
    return json.loads(out.read_text())


def _by_day(found: dict) -> dict[str, tuple[int, int, int]]:
    return {f"{d['data'][:4]}-{d['data'][4:6]}-{d['data'][6:]}":
            (d["visitors"]["count"], d["hits"]["count"], d["bytes"]["count"])
            for d in found["visitors"]["data"]}


@needs_goaccess
def test_daily_visitors_requests_and_bytes_agree_with_goaccess(settings, store, tmp_path):
    """Alike: GoAccess's unique visitor is (address, day, user agent); Rabkor's key is
    (address, user agent) within the month, so a key seen on a day is the same visitor
    that day; both count every request and its bytes before any exclusion (GoAccess with
    --4xx-to-unique-count, else it leaves 4xx requests out of visitors). Different: the
    line whose user agent is cut off, which GoAccess reads and Rabkor skips, so GoAccess
    is given the lines Rabkor read."""
    done = import_logs(store, settings, [REAL_LOG])
    skipped = {number for _, number, _, _ in done.examples}
    assert len(skipped) == sum(done.skipped.values()) == 1
    with gzip.open(REAL_LOG, "rb") as log:
        kept = [raw for number, raw in enumerate(log, 1) if number not in skipped]
    same_lines = write_log(tmp_path / "read.log", b"".join(kept))
    theirs = _by_day(_goaccess(same_lines, tmp_path / "goaccess.json"))
    with store.read() as s:
        ours = {d["day"]: (d["visitors"], d["hits"], d["bytes"])
                for d in report(s, "2015-05")["all_requests"] if d["hits"]}
    assert ours == theirs
    assert len(ours) == 4

    with gzip.open(REAL_LOG, "rb") as log:  # GoAccess reads no gzip
        unchanged = write_log(tmp_path / "whole.log", log.read())
    whole = _by_day(_goaccess(unchanged, tmp_path / "whole.json"))
    cut = (1, 1, 235)  # the skipped line: one more visitor (its agent cut), a hit, 235 bytes
    assert whole["2015-05-20"] == tuple(a + b for a, b in zip(ours["2015-05-20"], cut,
                                                                strict=True))


@needs_goaccess
def test_robots_left_out_by_both_lists(settings, store, tmp_path):
    """Different lists: GoAccess's own crawler list (--ignore-crawlers) and CrawlerDetect's;
    Rabkor also leaves out robots by behaviour and counts feed readers as readers. Alike:
    both leave out the search engines' robots, so on an excerpt of Googlebot and one
    browser both keep the browser's requests only."""
    excerpt = write_log(tmp_path / "excerpt.log", [
        line("192.0.2.1", "03/Nov/2026:10:00:00 +0000", "/en/", agent=BROWSER),
        line("192.0.2.1", "03/Nov/2026:10:00:30 +0000", "/en/items/1", agent=BROWSER),
        line("192.0.2.2", "03/Nov/2026:10:01:00 +0000", "/en/", agent=GOOGLEBOT),
        line("192.0.2.2", "03/Nov/2026:10:02:00 +0000", "/en/latest", agent=GOOGLEBOT),
        line("192.0.2.2", "03/Nov/2026:10:03:00 +0000", "/es/", agent=GOOGLEBOT)])
    theirs = _by_day(_goaccess(excerpt, tmp_path / "robots.json", "--ignore-crawlers"))
    import_logs(store, settings, [excerpt])
    with store.read() as s:
        got = report(s, "2026-11")
    (day,) = [d for d in got["days"] if d["pages"]]
    assert theirs == {"2026-11-03": (1, 2, 2000)}
    assert (day["readers"], day["pages"], day["bytes"]) == (1, 2, 2000)
    assert got["excluded"]["robot_hits"] == 3


def test_rabkors_own_definitions_by_hand_on_an_excerpt(settings, any_store, tmp_path):
    """Where GoAccess has no equal: a reader is one key for the whole month (GoAccess counts
    them per day: 2 + 1 here, Rabkor 2 in the month); images, assets, feeds and errors are
    counted apart from pages; a key with more than N pages a month (N = 3 here) is a heavy
    hitter, left out of readers and of the days' pages and bytes; a key that fetches
    robots.txt, or more than 30 pages in a minute, is a robot by behaviour. On SQLite and
    on PostgreSQL."""
    store, settings = any_store, any_store.settings
    nov = "Nov/2026:10:{:02d}:{:02d} +0000"
    lines = [
        line("192.0.2.1", "03/" + nov.format(0, 0), "/en/", size=1000),
        line("192.0.2.1", "03/" + nov.format(0, 5), "/static/site.css", size=300),
        line("192.0.2.1", "03/" + nov.format(0, 9), "/images/logo.png", size=700),
        line("192.0.2.1", "04/" + nov.format(0, 0), "/es/items/7", size=2000),
        line("192.0.2.1", "04/" + nov.format(0, 9), "/es/feed.atom", size=500),
        line("192.0.2.3", "03/" + nov.format(5, 0), "/de/", size=1500),
        line("192.0.2.3", "03/" + nov.format(5, 1), "/de/nothing", status=404, size=100),
        # a heavy hitter: 4 pages > 3
        *[line("192.0.2.9", "03/" + nov.format(10, n), "/en/", size=1000) for n in range(4)],
        # a robot by behaviour with a browser's agent
        line("192.0.2.7", "03/" + nov.format(20, 0), "/robots.txt", size=50),
        line("192.0.2.7", "03/" + nov.format(20, 1), "/en/", size=1000),
        # one burst: 31 pages in one minute
        *[line("192.0.2.8", "04/" + nov.format(30, n), f"/en/items/{n}", size=10)
          for n in range(31)],
    ]
    import_logs(store, settings.with_(stats_heavy_hitter_pages=3),  # the month opens with 3
                [write_log(tmp_path / "excerpt.log", lines)])
    with store.read() as s:
        got = report(s, "2026-11")
    days = {d["day"]: d for d in got["days"] if d["readers"]}
    assert got["readers"] == 2
    assert days["2026-11-03"] == {"day": "2026-11-03", "readers": 2, "pages": 2, "feeds": 0,
                                  "assets": 2, "errors": 1, "bytes": 1000 + 300 + 700 + 1500
                                  + 100}
    assert days["2026-11-04"] == {"day": "2026-11-04", "readers": 1, "pages": 1, "feeds": 1,
                                  "assets": 0, "errors": 0, "bytes": 2500}
    ex = got["excluded"]
    assert (ex["heavy_hitters"], ex["heavy_hitter_pages"]) == (1, 4)
    assert (ex["behaviour_robots"], ex["behaviour_robot_hits"]) == (2, 2 + 31)
    departments = {d["department"]: d["readers"] for d in got["departments"]}
    assert departments == {"en": 1, "es": 1, "de": 1}
    assert got["readers_in_departments"] == 2 and got["readers_not_only_english"] == 2
    everyone = {d["day"]: d["visitors"] for d in got["all_requests"] if d["hits"]}
    assert everyone == {"2026-11-03": 4, "2026-11-04": 2}
