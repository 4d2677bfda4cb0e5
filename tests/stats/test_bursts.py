"""Reading faster than a person: more than `stats_burst_pages` pages (30) within any 60
seconds makes a key a robot by behaviour — a sliding window, so a burst that straddles a
clock minute counts, and so does one split between batches written in either order. On
SQLite and on PostgreSQL."""

from __future__ import annotations

from rabkor.stats.importer import import_logs
from rabkor.stats.report import report
from tests.stats.conftest import line, write_log


def _pages(address: str, seconds: list[int]) -> list[str]:
    """One page a second listed, from 03/Nov/2026 10:00:00."""
    return [line(address, f"03/Nov/2026:10:{s // 60:02d}:{s % 60:02d} +0000", f"/en/items/{s}")
            for s in seconds]


def _excluded(store) -> tuple[int, int, int]:
    with store.read() as s:
        got = report(s, "2026-11")
    ex = got["excluded"]
    return got["readers"], ex["behaviour_robots"], ex["behaviour_robot_hits"]


def test_a_burst_across_a_minute_boundary_is_a_robot(any_store, tmp_path):
    # 16 pages in 10:00:44–59 and 15 in 10:01:00–14: 31 within 31 s, no clock minute > 30
    straddling = _pages("192.0.2.1", list(range(44, 75)))
    # 31 pages two seconds apart: 10:00:00–10:01:00, never more than 30 within 60 s
    paced = _pages("192.0.2.2", list(range(0, 61, 2)))
    import_logs(any_store, any_store.settings,
                [write_log(tmp_path / "a.log", straddling + paced)])
    assert _excluded(any_store) == (1, 1, 31)


def test_a_burst_split_between_batches_in_either_order_is_a_robot(any_store, tmp_path):
    """Several workers' writers may store a key's later seconds first: the window reads the
    key's stored pages on both sides of the batch's."""
    burst = _pages("192.0.2.1", list(range(44, 75)))
    paced = _pages("192.0.2.2", list(range(0, 61, 2)))
    logs = [write_log(tmp_path / "late.log", burst[20:] + paced[16:]),
            write_log(tmp_path / "early.log", burst[:20] + paced[:16])]
    for log in logs:
        import_logs(any_store, any_store.settings, [log])
    assert _excluded(any_store) == (1, 1, 31)
