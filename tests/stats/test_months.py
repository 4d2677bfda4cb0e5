"""A month's lifecycle: open with its salt, closed with its report kept and its salt
destroyed (tried: nothing stored can be matched with an address any more), purged of its
single views after the retention days; `rabkor run`'s pipeline does it when due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from rabkor.core.errors import RabkorError
from rabkor.core.store.kinds import StatsMonthState
from rabkor.core.store.models import PageView, StatsMonth, StatsVisitor
from rabkor.stats.importer import import_logs
from rabkor.stats.months import close_month, maintain, visitor_key
from rabkor.stats.report import report
from tests.stats.conftest import BROWSER, line, write_log

ADDRESSES = [f"192.0.2.{n}" for n in range(1, 40)]


def _november(tmp_path: Path) -> Path:
    return write_log(tmp_path / "nov.log", [
        line(address, f"{day:02d}/Nov/2026:10:{n % 60:02d}:00 +0000", "/en/")
        for n, address in enumerate(ADDRESSES) for day in (3, 4)])


def _stored_values(store) -> list[object]:
    """Every value of every column of every table."""
    found = []
    with store.read() as s:
        for table in inspect(s.get_bind()).get_table_names():
            for row in s.connection().exec_driver_sql(f'SELECT * FROM "{table}"'):
                found.extend(row)
    return found


def test_closing_destroys_the_salt_and_no_stored_value_matches_an_address(
        settings, store, tmp_path: Path):
    import_logs(store, settings, [_november(tmp_path)])
    with store.read() as s:
        salt = s.get(StatsMonth, "2026-11").salt
        keys = set(s.scalars(select(PageView.visitor)))
    assert salt and keys == {visitor_key(salt, a, BROWSER) for a in ADDRESSES}
    kept = close_month(store, settings, "2026-11")
    assert kept["readers"] == len(ADDRESSES)

    values = _stored_values(store)
    with store.read() as s:
        month = s.get(StatsMonth, "2026-11")
        assert month.salt is None and month.state == StatsMonthState.CLOSED
        assert s.scalar(select(func.count()).select_from(StatsVisitor)) == 0
    # try: every stored value of the right size as a salt, with every address
    candidates = [v for v in values if isinstance(v, bytes | str) and v]
    for candidate in candidates:
        raw = candidate if isinstance(candidate, bytes) else candidate.encode()
        if len(raw) > 64:  # BLAKE2b keys are at most 64 bytes
            continue
        guessed = {visitor_key(raw, a, BROWSER) for a in ADDRESSES}
        assert not guessed & keys
    # and the salt's bytes are nowhere in the database files, nor an address
    files = b"".join(p.read_bytes() for p in settings.data_dir.glob("rabkor.db*"))
    assert salt not in files
    assert not any(a.encode() in files for a in ADDRESSES)
    # the report outlives it
    with store.read() as s:
        assert report(s, "2026-11")["readers"] == len(ADDRESSES)


def test_a_closed_month_takes_no_more_views_and_cannot_close_twice(
        settings, store, tmp_path: Path):
    log = _november(tmp_path)
    import_logs(store, settings, [log])
    close_month(store, settings, "2026-11")
    late = write_log(tmp_path / "late.log", [line("192.0.2.200", "05/Nov/2026:10:00:00 +0000",
                                                  "/en/")])
    done = import_logs(store, settings, [late])
    assert (done.imported, done.late) == (0, 1)
    with pytest.raises(RabkorError, match="closed already"):
        close_month(store, settings, "2026-11")


def test_the_pipeline_closes_a_month_a_day_after_it_ends_then_purges_it(
        settings, store, tmp_path: Path):
    import_logs(store, settings, [_november(tmp_path)])
    december = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert maintain(store, settings, december).closed == []
    done = maintain(store, settings, december + timedelta(days=1))
    assert done.closed == ["2026-11"] and done.purged == []
    later = datetime.now(UTC) + timedelta(days=settings.stats_retention_days, hours=1)
    assert maintain(store, settings, later).purged == ["2026-11"]
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(PageView)) == 0
        assert s.get(StatsMonth, "2026-11").state == StatsMonthState.PURGED
        assert report(s, "2026-11")["readers"] == len(ADDRESSES)
