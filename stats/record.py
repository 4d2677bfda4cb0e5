"""One batch of requests into the store: each hashed with its month's salt (the address
and user agent go no further than this function), classified, written as single views,
and added to the rollups the report reads — all in the caller's transaction.

A visitor key's class follows from its month so far: a robot by its agent, a robot by
behaviour (it fetched robots.txt, or read more than the month's burst of pages within any
60 seconds: faster than a person reads), a heavy hitter (more pages than the month's
threshold), a reader (a page or a feed), or none of these yet. Classes only ever move
towards being left out, and when a key moves, its earlier views move with it in the day
and top rollups (read back once, by the key's index), and the month's distinct counts
take the difference; so the report never has to look at single keys or views."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rabkor.core.settings import Settings
from rabkor.core.store.models import PageView, StatsCount, StatsDay, StatsTop, StatsVisitor
from rabkor.stats.classify import (
    FEED,
    PAGE,
    ROBOT,
    ROBOTS,
    classify_agent,
    classify_path,
    referrer_host,
)
from rabkor.stats.months import OpenMonth, bounds, open_months, visitor_key

CHUNK = 500
WINDOW = 60  # seconds of the burst rule
LOCK = 0x5354415453  # PostgreSQL advisory lock of the writers ("STATS")
BEHAVIOUR, HEAVY, READER = "behaviour", "heavy", "reader"
VIEW_COLUMNS = ("at", "path", "department", "item_id", "listing", "kind", "status", "bytes",
                "referrer_host", "agent", "visitor")


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


def key_class(row, month: OpenMonth) -> str:
    """What a key's month makes it (a stored row or the dict of merged sums)."""
    get = row.get if isinstance(row, dict) else row._mapping.get
    if get("agent") == ROBOT:
        return ROBOT
    if get("robots_txt") or get("peak_minute_pages") > month.burst_pages:
        return BEHAVIOUR
    if get("pages") > month.heavy_hitter_pages:
        return HEAVY
    return READER if get("pages") + get("feeds") > 0 else ""


def left_out(cls: str) -> str:
    """Why a key's views are left out of the counted figures ('' counted; robots by agent
    are told apart by their agent class)."""
    return cls if cls in (BEHAVIOUR, HEAVY) else ""


def _bits(mask: int) -> list[int]:
    return [bit for bit in range(mask.bit_length()) if mask >> bit & 1]


def _counts(row, cls: str, month: OpenMonth) -> list[tuple[str, int]]:
    """What one key adds to the month's distinct counts."""
    get = row.get if isinstance(row, dict) else row._mapping.get
    found = [("everyone_day", bit) for bit in _bits(get("days"))]
    if cls in (BEHAVIOUR, HEAVY):
        found.append((cls, 0))
    elif cls == READER:
        departments = get("departments")
        english = (1 << month.departments.index("en")) if "en" in month.departments else 0
        found.append(("readers", 0))
        found += [("reader_day", bit) for bit in _bits(get("read_days"))]
        found += [("department", bit) for bit in _bits(departments)]
        if departments:
            found.append(("in_departments", 0))
        if departments & ~english:
            found.append(("not_english", 0))
    return found


def _upsert(session: Session, model, rows: list[dict], keys: list[str], set_) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(model.__table__)  # Core, not the ORM's bulk path: one executemany
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_=set_(stmt.excluded))
    session.connection().execute(stmt, rows)


def _insert_views(session: Session, views: list[tuple]) -> None:
    """The single views by the driver's own executemany: SQLAlchemy's statement, however
    cheap, costs more per row than the insert itself."""
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO page_views ({', '.join(VIEW_COLUMNS)}) "
        f"VALUES ({', '.join([mark] * len(VIEW_COLUMNS))})", views)


def _calendar(at: int) -> tuple[str, int]:
    moment = datetime.fromtimestamp(at, UTC)
    return f"{moment.year:04d}-{moment.month:02d}", moment.day


class _Rollups:
    """The batch's additions to the day and top rollups, and to the distinct counts."""

    def __init__(self) -> None:
        self.days: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        self.tops: dict[tuple, int] = defaultdict(int)
        self.counts: dict[tuple, int] = defaultdict(int)

    def add(self, month: str, day: int, department: str, kind: str, agent: str, size: int,
            path: str, item_id: int | None, host: str | None, out: str, sign: int = 1) -> None:
        total = self.days[(month, day, department, kind, agent, out)]
        total[0] += sign
        total[1] += sign * size
        if kind == PAGE:
            self.tops[(month, "page", path[:255], agent, out)] += sign
            if item_id is not None:
                self.tops[(month, "item", str(item_id), agent, out)] += sign
            if host:
                self.tops[(month, "referrer", host, agent, out)] += sign

    def write(self, session: Session) -> None:
        _upsert(session, StatsDay,
                [{"month": m, "day": d, "department": dep, "kind": k, "agent": a,
                  "left_out": o, "hits": h, "bytes": b}
                 for (m, d, dep, k, a, o), (h, b) in self.days.items()],
                ["month", "day", "department", "kind", "agent", "left_out"],
                lambda ex: {"hits": StatsDay.hits + ex.hits,
                            "bytes": StatsDay.bytes + ex.bytes})
        _upsert(session, StatsTop,
                [{"month": m, "dimension": dim, "key": k, "agent": a, "left_out": o,
                  "pages": n} for (m, dim, k, a, o), n in self.tops.items()],
                ["month", "dimension", "key", "agent", "left_out"],
                lambda ex: {"pages": StatsTop.pages + ex.pages})
        _upsert(session, StatsCount,
                [{"month": m, "measure": what, "index": i, "value": n}
                 for (m, what, i), n in self.counts.items() if n],
                ["month", "measure", "index"],
                lambda ex: {"value": StatsCount.value + ex.value})


def record(session: Session, settings: Settings, hits: Sequence[Hit]) -> Recorded:
    """The writers of several workers, and an import, each read a key's month and write its
    sums back: one at a time, or they would overwrite each other's (SQLite's BEGIN
    IMMEDIATE does this already; PostgreSQL takes a lock for the transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK})
    done = Recorded()
    calendar = {}  # the day since the epoch → (month, day of the month)
    for hit in hits:
        if hit.at // 86400 not in calendar:
            calendar[hit.at // 86400] = _calendar(hit.at)
    salts = open_months(session, settings, {month for month, _ in calendar.values()})
    languages = frozenset(settings.languages)
    views: list[tuple] = []
    keys: dict[tuple, int] = {}
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
            _count(visitors, month, key, agent, where.kind, where.department, hit, day,
                   opened.departments)
        views.append((hit.at, hit.path[:300], where.department, where.item_id, where.listing,
                      where.kind, hit.status, hit.bytes, referrer_host(hit.referrer), agent,
                      key))
        done.by_kind[where.kind] += 1
    rollups = _Rollups()
    classes = _merge_visitors(session, visitors, salts, rollups)
    for at, path, department, item_id, _listing, kind, _status, size, host, agent, key in views:
        month, day = calendar[at // 86400]
        out = left_out(classes.get((month, key), "")) if key is not None else ""
        rollups.add(month, day, department, kind, agent, size, path, item_id, host, out)
    if views:
        _insert_views(session, views)
    done.written = len(views)
    rollups.write(session)
    return done


def _count(visitors: dict, month: str, key: int, agent: str, kind: str, department: str,
           hit: Hit, day: int, departments: tuple[str, ...]) -> None:
    row = visitors.get((month, key))
    if row is None:
        row = visitors[(month, key)] = {
            "month": month, "visitor": key, "agent": agent, "pages": 0, "feeds": 0, "hits": 0,
            "bytes": 0, "days": 0, "read_days": 0, "departments": 0, "robots_txt": False,
            "minute": 0, "peak_minute_pages": 0, "times": []}
    row["hits"] += 1
    row["bytes"] += hit.bytes
    row["days"] |= 1 << (day - 1)
    row["robots_txt"] |= kind == ROBOTS
    if kind == FEED:
        row["feeds"] += 1
        row["read_days"] |= 1 << (day - 1)
    if kind != PAGE:
        return
    row["pages"] += 1
    row["read_days"] |= 1 << (day - 1)
    if department in departments:
        row["departments"] |= 1 << departments.index(department)
    row["times"].append(hit.at)


def peak(times: list[int]) -> int:
    """The most of these (sorted) seconds within any 60 seconds."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= WINDOW:
            start += 1
        most = max(most, end - start + 1)
    return most


def _stored_times(session: Session, wanted: dict[tuple[str, int], list[int]]
                  ) -> dict[int, list[int]]:
    """The stored pages of these keys within a window of their batch's pages (read by the
    key's index), so a burst is seen across batches, in whichever order they come."""
    found: dict[int, list[int]] = defaultdict(list)
    keys = [key for _month, key in wanted]
    low = min(times[0] for times in wanted.values()) - WINDOW + 1
    high = max(times[-1] for times in wanted.values()) + WINDOW - 1
    for start in range(0, len(keys), CHUNK):
        for key, at in session.execute(
                select(PageView.visitor, PageView.at).where(
                    PageView.visitor.in_(keys[start:start + CHUNK]), PageView.at >= low,
                    PageView.at <= high, PageView.kind == PAGE)):
            found[key].append(at)
    return found


def _merge_visitors(session: Session, visitors: dict[tuple[str, int], dict],
                    months: dict[str, OpenMonth], rollups: _Rollups) -> dict[tuple, str]:
    """Add the batch to each key's month: read the stored rows (under the write lock) and,
    for keys not yet robots, their stored pages near the batch's; write the sums back; the
    distinct counts take each key's difference, and a key newly left out takes its earlier
    views along. Each key's class after the batch."""
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
    near = {}  # keys whose stored pages may share a window with the batch's
    for ident, new in visitors.items():
        old, times = stored.get(ident), new["times"]
        if (old is not None and times and old.agent != ROBOT
                and old.peak_minute_pages <= months[ident[0]].burst_pages
                and old.minute >= (times[0] - WINDOW + 1) // 60):
            near[ident] = times
    earlier = _stored_times(session, near) if near else {}
    rows, classes, moved = [], {}, []
    for ident, new in visitors.items():
        times = new.pop("times")
        old = stored.get(ident)
        month = months[ident[0]]
        new["peak_minute_pages"] = peak(sorted(times + earlier.get(ident[1], [])))
        new["minute"] = times[-1] // 60 if times else 0
        if old is not None:
            for name in ("pages", "feeds", "hits", "bytes"):
                new[name] += getattr(old, name)
            for name in ("days", "read_days", "departments"):
                new[name] |= getattr(old, name)
            new["robots_txt"] |= old.robots_txt
            new["peak_minute_pages"] = max(new["peak_minute_pages"], old.peak_minute_pages)
            new["minute"] = max(new["minute"], old.minute)
        cls = classes[ident] = key_class(new, month)
        was = key_class(old, month) if old is not None else ""
        for what, index in _counts(new, cls, month):
            rollups.counts[(ident[0], what, index)] += 1
        if old is not None:
            for what, index in _counts(old, was, month):
                rollups.counts[(ident[0], what, index)] -= 1
            if left_out(was) != left_out(cls):
                moved.append((ident, left_out(was), left_out(cls)))
        rows.append(new)
    for (month, key), before, after in moved:
        _move_views(session, month, key, before, after, rollups)
    names = [c for c in rows[0] if c not in ("month", "visitor")] if rows else []
    _upsert(session, StatsVisitor, rows, ["month", "visitor"],
            lambda ex: {name: getattr(ex, name) for name in names})
    return classes


def _move_views(session: Session, month: str, key: int, before: str, after: str,
                rollups: _Rollups) -> None:
    """A key's views stored before this batch, from one reason in the rollups to another."""
    start, end = bounds(month)
    for at, department, kind, agent, size, path, item_id, host in session.execute(
            select(PageView.at, PageView.department, PageView.kind, PageView.agent,
                   PageView.bytes, PageView.path, PageView.item_id, PageView.referrer_host)
            .where(PageView.visitor == key, PageView.at >= start, PageView.at < end)):
        day = datetime.fromtimestamp(at, UTC).day
        rollups.add(month, day, department, kind, agent, size, path, item_id, host, before, -1)
        rollups.add(month, day, department, kind, agent, size, path, item_id, host, after)
