"""A month of statistics and its salt: opened by its first view, closed (report written,
salt destroyed, visitor keys' rollups deleted) once it is over, purged of its single
views `stats_retention_days` later. Closing is done by `rabkor run`'s pipeline a day
after the month ends (late log lines and flushes land in that day) and by
`rabkor stats close --month`."""

from __future__ import annotations

import calendar
import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from rabkor.core.errors import InvalidInput, RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.kinds import StatsMonthState, utcnow
from rabkor.core.store.models import (
    PageView,
    StatsCount,
    StatsDay,
    StatsMonth,
    StatsTop,
    StatsVisitor,
)

GRACE = timedelta(days=1)


def month_of(at: int) -> str:
    return time.strftime("%Y-%m", time.gmtime(at))


def parse_month(value: str) -> str:
    """YYYY-MM, or a clear error."""
    try:
        return datetime.strptime(value, "%Y-%m").strftime("%Y-%m")
    except ValueError:
        raise InvalidInput(f"{value!r} is not a month: write it YYYY-MM (2026-11)") from None


def bounds(month: str) -> tuple[int, int]:
    """The month's first second and the first second after it, since the epoch (UTC)."""
    year, number = map(int, month.split("-"))
    start = calendar.timegm((year, number, 1, 0, 0, 0))
    days = calendar.monthrange(year, number)[1]
    return start, start + days * 86400


def visitor_key(salt: bytes, address: str, user_agent: str) -> int:
    """A 64-bit key for (address, user agent) within one month; without the salt it says
    nothing of the address (a keyed BLAKE2b, not a bare hash that a list of addresses
    would undo)."""
    digest = hashlib.blake2b(f"{address}\0{user_agent}".encode("utf-8", "replace"),
                             key=salt, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass(frozen=True)
class OpenMonth:
    month: str
    salt: bytes
    departments: tuple[str, ...]
    heavy_hitter_pages: int
    burst_pages: int


def open_months(session: Session, settings: Settings, months: set[str]) -> dict[str, OpenMonth]:
    """The salts of `months` that are open, opening those never seen; closed ones are left
    out (their views can no longer be keyed)."""
    rows = {row.month: row for row in session.scalars(
        select(StatsMonth).where(StatsMonth.month.in_(months)))}
    found = {}
    for month in months:
        row = rows.get(month)
        if row is None:
            row = StatsMonth(month=month, state=StatsMonthState.OPEN,
                             salt=secrets.token_bytes(32), departments=list(settings.languages),
                             dropped_views=0,
                             heavy_hitter_pages=settings.stats_heavy_hitter_pages,
                             burst_pages=settings.stats_burst_pages)
            session.add(row)
            session.flush()
        if row.state == StatsMonthState.OPEN and row.salt:
            found[month] = OpenMonth(month, row.salt, tuple(row.departments),
                                     row.heavy_hitter_pages, row.burst_pages)
    return found


def close_month(store: Store, settings: Settings, month: str) -> dict:
    """Write the month's report, then destroy the salt and the visitor keys' rollups in
    the same transaction; on SQLite the freed bytes are zeroed and the log checkpointed,
    so the salt is not left in the database file either."""
    from rabkor.stats.report import compute_report

    with store.transaction() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("PRAGMA secure_delete = ON"))
        row = session.get(StatsMonth, month)
        if row is None:
            raise RabkorError(f"no statistics for {month}")
        if row.state != StatsMonthState.OPEN:
            raise RabkorError(f"{month} is closed already (on {row.closed_at:%Y-%m-%d})")
        row.report = {**compute_report(session, month),
                      "state": str(StatsMonthState.CLOSED)}
        row.salt = None
        row.state = StatsMonthState.CLOSED
        row.closed_at = utcnow()
        session.execute(delete(StatsVisitor).where(StatsVisitor.month == month))
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:  # outside a transaction, where it can run
            conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return row.report


def purge_month(store: Store, month: str) -> None:
    """Drop a closed month's single views and rollups; its report stays."""
    start, end = bounds(month)
    with store.transaction() as session:
        row = session.get(StatsMonth, month)
        if row is None or row.state != StatsMonthState.CLOSED:
            raise RabkorError(f"{month} is not a closed month")
        session.execute(delete(PageView).where(PageView.at >= start, PageView.at < end))
        session.execute(delete(StatsDay).where(StatsDay.month == month))
        session.execute(delete(StatsTop).where(StatsTop.month == month))
        session.execute(delete(StatsCount).where(StatsCount.month == month))
        row.state, row.purged_at = StatsMonthState.PURGED, utcnow()


@dataclass
class Maintained:
    closed: list[str]
    purged: list[str]


def maintain(store: Store, settings: Settings, now: datetime | None = None) -> Maintained:
    """Close the months that ended more than a day ago, purge those past retention: what
    the pipeline does every cycle."""
    now = now or datetime.now(UTC)
    with store.read() as session:
        rows = session.execute(select(StatsMonth.month, StatsMonth.state,
                                      StatsMonth.closed_at)).all()
    done = Maintained([], [])
    for month, state, closed_at in rows:
        ended = datetime.fromtimestamp(bounds(month)[1], UTC)
        if state == StatsMonthState.OPEN and now >= ended + GRACE:
            close_month(store, settings, month)
            done.closed.append(month)
            closed_at = now
            state = StatsMonthState.CLOSED
        if (state == StatsMonthState.CLOSED
                and now >= closed_at + timedelta(days=settings.stats_retention_days)):
            purge_month(store, month)
            done.purged.append(month)
    return done
