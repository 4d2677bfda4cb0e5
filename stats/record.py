"""One batch of requests into the store: each hashed with its month's salt (the address
and user agent go no further than this function), classified, written as single views,
and added to the rollups the report reads — all in the caller's transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rabkor.core.settings import Settings
from rabkor.core.store.models import StatsDay, StatsTop, StatsVisitor
from rabkor.stats.classify import FEED, PAGE, ROBOTS, classify_agent, classify_path, referrer_host
from rabkor.stats.months import open_months, visitor_key

CHUNK = 500


@dataclass(slots=True)
class Hit:
    """A request as it arrives: `address` None when the reader asked not to be tracked."""

    at: int
    method: str
    path: str
    status: int
    bytes: int
    referrer: str
    user_agent: str
    address: str | None


@dataclass
class Recorded:
    written: int = 0
    late: int = 0  # for a month already closed: its salt is gone, the view cannot be keyed
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _upsert(session: Session, model, rows: list[dict], keys: list[str], set_) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(model.__table__)  # Core, not the ORM's bulk path: one executemany
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_=set_(stmt.excluded))
    session.connection().execute(stmt, rows)


VIEW_COLUMNS = ("at", "path", "department", "item_id", "listing", "kind", "status", "bytes",
                "referrer_host", "agent", "visitor")


def _insert_views(session: Session, views: list[tuple]) -> None:
    """The single views by the driver's own executemany: SQLAlchemy's statement, however
    cheap, costs more per row than the insert itself, on the writer that shares the web
    process."""
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO page_views ({', '.join(VIEW_COLUMNS)}) "
        f"VALUES ({', '.join([mark] * len(VIEW_COLUMNS))})", views)


def _calendar(at: int) -> tuple[str, int]:
    moment = datetime.fromtimestamp(at, UTC)
    return f"{moment.year:04d}-{moment.month:02d}", moment.day


def record(session: Session, settings: Settings, hits: Sequence[Hit]) -> Recorded:
    done = Recorded()
    calendar = {}  # the day since the epoch → (month, day of the month)
    for hit in hits:
        if hit.at // 86400 not in calendar:
            calendar[hit.at // 86400] = _calendar(hit.at)
    salts = open_months(session, settings, {month for month, _ in calendar.values()})
    languages = frozenset(settings.languages)
    views: list[tuple] = []
    keys: dict[tuple, int] = {}
    days: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    tops: dict[tuple, int] = defaultdict(int)
    visitors: dict[tuple[str, int], dict] = {}
    for hit in sorted(hits, key=lambda h: h.at):
        month, day = calendar[hit.at // 86400]
        opened = salts.get(month)
        if opened is None:
            done.late += 1
            continue
        where = classify_path(hit.method, hit.path, hit.status, languages)
        agent = classify_agent(hit.user_agent)
        key = None
        if hit.address is not None:
            ident = (month, hit.address, hit.user_agent)
            key = keys.get(ident)
            if key is None:
                key = keys[ident] = visitor_key(opened.salt, hit.address, hit.user_agent)
        host = referrer_host(hit.referrer)
        views.append((hit.at, hit.path[:300], where.department, where.item_id, where.listing,
                      where.kind, hit.status, hit.bytes, host, agent, key))
        done.by_kind[where.kind] += 1
        total = days[(month, day, where.department, where.kind, agent)]
        total[0] += 1
        total[1] += hit.bytes
        if where.kind == PAGE:
            tops[(month, "page", hit.path[:255], agent)] += 1
            if where.item_id is not None:
                tops[(month, "item", str(where.item_id), agent)] += 1
            if host:
                tops[(month, "referrer", host, agent)] += 1
        if key is not None:
            _count(visitors, month, key, agent, where, hit, day, opened.departments)
    if views:
        _insert_views(session, views)
    done.written = len(views)
    _upsert(session, StatsDay,
            [{"month": m, "day": d, "department": dep, "kind": k, "agent": a, "hits": h,
              "bytes": b} for (m, d, dep, k, a), (h, b) in days.items()],
            ["month", "day", "department", "kind", "agent"],
            lambda ex: {"hits": StatsDay.hits + ex.hits, "bytes": StatsDay.bytes + ex.bytes})
    _upsert(session, StatsTop,
            [{"month": m, "dimension": dim, "key": k, "agent": a, "pages": n}
             for (m, dim, k, a), n in tops.items()],
            ["month", "dimension", "key", "agent"],
            lambda ex: {"pages": StatsTop.pages + ex.pages})
    _merge_visitors(session, visitors)
    return done


def _count(visitors: dict, month: str, key: int, agent: str, where, hit: Hit, day: int,
           departments: tuple[str, ...]) -> None:
    row = visitors.get((month, key))
    if row is None:
        row = visitors[(month, key)] = {
            "month": month, "visitor": key, "agent": agent, "pages": 0, "feeds": 0, "hits": 0,
            "bytes": 0, "days": 0, "read_days": 0, "departments": 0, "robots_txt": False,
            "first_minute": None, "first_pages": 0, "minute": 0, "minute_pages": 0,
            "peak_minute_pages": 0}
    row["hits"] += 1
    row["bytes"] += hit.bytes
    row["days"] |= 1 << (day - 1)
    row["robots_txt"] |= where.kind == ROBOTS
    if where.kind == FEED:
        row["feeds"] += 1
        row["read_days"] |= 1 << (day - 1)
    if where.kind != PAGE:
        return
    row["pages"] += 1
    row["read_days"] |= 1 << (day - 1)
    if where.department in departments:
        row["departments"] |= 1 << departments.index(where.department)
    minute = hit.at // 60
    if row["first_minute"] is None:
        row["first_minute"] = minute
    if minute == row["minute"]:
        row["minute_pages"] += 1
    else:
        row["minute"], row["minute_pages"] = minute, 1
    if minute == row["first_minute"]:
        row["first_pages"] = row["minute_pages"]
    row["peak_minute_pages"] = max(row["peak_minute_pages"], row["minute_pages"])


def _merge_visitors(session: Session, visitors: dict[tuple[str, int], dict]) -> None:
    """Add the batch to each key's month: read the stored rows (under the write lock), join
    the clock minute the batch shares with them, write the sums back."""
    by_month: dict[str, list[int]] = defaultdict(list)
    for month, key in visitors:
        by_month[month].append(key)
    stored = {}
    for month, keys in by_month.items():
        for start in range(0, len(keys), CHUNK):
            for row in session.execute(select(*StatsVisitor.__table__.c).where(
                    StatsVisitor.month == month,
                    StatsVisitor.visitor.in_(keys[start:start + CHUNK]))):
                stored[(month, row.visitor)] = row
    rows = []
    for ident, new in visitors.items():
        first_minute, first_pages = new.pop("first_minute"), new.pop("first_pages")
        old = stored.get(ident)
        if old is not None:
            for name in ("pages", "feeds", "hits", "bytes"):
                new[name] += getattr(old, name)
            for name in ("days", "read_days", "departments"):
                new[name] |= getattr(old, name)
            new["robots_txt"] |= old.robots_txt
            new["peak_minute_pages"] = max(new["peak_minute_pages"], old.peak_minute_pages)
            if first_minute is not None and first_minute == old.minute:
                joined = old.minute_pages + first_pages
                new["peak_minute_pages"] = max(new["peak_minute_pages"], joined)
                if new["minute"] == first_minute:
                    new["minute_pages"] = joined
            elif first_minute is None:
                new["minute"], new["minute_pages"] = old.minute, old.minute_pages
        rows.append(new)
    names = [c for c in rows[0] if c not in ("month", "visitor")] if rows else []
    _upsert(session, StatsVisitor, rows, ["month", "visitor"],
            lambda ex: {name: getattr(ex, name) for name in names})
