"""A month's report, from the rollups alone (never a scan of the single views): distinct
readers, each day's pages, feeds, assets, errors and bytes, the language departments, the
share of readers by reading language, top items, sources, pages and referrers, and what
was left out and why. Robots by user agent are left out by their class in the rollups;
robots by behaviour and heavy hitters, few keys, by subtracting their own views."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from rabkor.core.errors import RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.kinds import StatsMonthState
from rabkor.core.store.models import Item, PageView, Source, StatsDay, StatsMonth, StatsTop
from rabkor.stats.classify import ASSET, ERROR, FEED, PAGE, ROBOT
from rabkor.stats.months import bounds

TOP = 20
CHUNK = 500


def _reader_filter(settings: Settings) -> str:
    """A reader: a key that read a page or a feed, no robot by its agent or behaviour,
    no heavy hitter (the SQL condition on stats_visitors)."""
    return (f"agent != '{ROBOT}' AND NOT robots_txt "
            f"AND peak_minute_pages <= {int(settings.stats_burst_pages)} "
            f"AND pages <= {int(settings.stats_heavy_hitter_pages)} AND pages + feeds > 0")


def count_readers(session: Session, settings: Settings, month: str) -> int:
    row = session.get(StatsMonth, month)
    if row is not None and row.report is not None:
        return row.report["readers"]
    return session.execute(text(f"SELECT count(*) FROM stats_visitors WHERE month = :m AND "
                                f"{_reader_filter(settings)}"), {"m": month}).scalar_one()


def months(session: Session) -> list[str]:
    """Every month with statistics, newest first."""
    return list(session.scalars(select(StatsMonth.month).order_by(StatsMonth.month.desc())))


def report(session: Session, settings: Settings, month: str | None = None) -> dict:
    """The stored report of a closed month, else the open month's computed now; without
    `month`, the newest."""
    month = month or next(iter(months(session)), None)
    row = session.get(StatsMonth, month) if month else None
    if row is None:
        raise RabkorError(f"no statistics for {month}" if month else "no statistics yet")
    if row.report is not None:
        return row.report
    return compute_report(session, settings, month)


def compute_report(session: Session, settings: Settings, month: str) -> dict:
    row = session.get(StatsMonth, month)
    departments = list(row.departments)
    start, end = bounds(month)
    ndays = (end - start) // 86400
    params = {"m": month}
    readers_sql = ", ".join(
        [f"SUM((read_days >> {d}) & 1)" for d in range(ndays)]
        + [f"SUM((departments >> {i}) & 1)" for i in range(len(departments))])
    english = 1 << departments.index("en") if "en" in departments else 0
    got = session.execute(text(
        f"SELECT count(*), SUM(CASE WHEN departments != 0 THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN (departments & ~{english}) != 0 THEN 1 ELSE 0 END), {readers_sql} "
        f"FROM stats_visitors WHERE month = :m AND {_reader_filter(settings)}"),
        params).one()
    readers, in_departments, not_english = (v or 0 for v in got[:3])
    daily_readers = [v or 0 for v in got[3:3 + ndays]]
    department_readers = [v or 0 for v in got[3 + ndays:]]
    everyone = session.execute(text(
        "SELECT " + ", ".join(f"SUM((days >> {d}) & 1)" for d in range(ndays))
        + " FROM stats_visitors WHERE month = :m"), params).one()

    burst, heavy = int(settings.stats_burst_pages), int(settings.stats_heavy_hitter_pages)
    left_out = session.execute(text(
        f"SELECT visitor, robots_txt, peak_minute_pages > {burst}, pages FROM stats_visitors "
        f"WHERE month = :m AND agent != '{ROBOT}' AND (robots_txt OR peak_minute_pages > "
        f"{burst} OR pages > {heavy})"), params).all()
    behaviour = {key for key, robots_txt, bursty, _ in left_out if robots_txt or bursty}
    heavy_keys = {key for key, *_ in left_out if key not in behaviour}
    minus_days, minus_tops, behaviour_hits, heavy_pages = _their_views(
        session, behaviour | heavy_keys, behaviour, start, end)

    totals: dict[int, Counter] = defaultdict(Counter)
    everything: dict[int, Counter] = defaultdict(Counter)
    by_department: dict[str, Counter] = defaultdict(Counter)
    robot_hits = 0
    for day, department, kind, agent, hits, size in session.execute(
            select(StatsDay.day, StatsDay.department, StatsDay.kind, StatsDay.agent,
                   StatsDay.hits, StatsDay.bytes).where(StatsDay.month == month)):
        everything[day]["hits"] += hits
        everything[day]["bytes"] += size
        if agent == ROBOT:
            robot_hits += hits
            continue
        less = minus_days.get((day, department, kind, agent), (0, 0))
        hits, size = hits - less[0], size - less[1]
        totals[day][kind] += hits
        totals[day]["bytes"] += size
        if department:
            by_department[department][kind] += hits
            by_department[department]["bytes"] += size

    counted_tops = _tops(session, month, minus_tops)
    anonymous = session.execute(select(func.count()).select_from(PageView).where(
        PageView.visitor.is_(None), PageView.at >= start, PageView.at < end)).scalar_one()
    day_name = [datetime.fromtimestamp(start + d * 86400, UTC).strftime("%Y-%m-%d")
                for d in range(ndays)]
    return {
        "month": month,
        "state": str(row.state),
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "readers": readers,
        "readers_by_month": _by_month(session, settings, month, readers),
        "days": [{"day": day_name[d], "readers": daily_readers[d],
                  "pages": totals[d + 1][PAGE], "feeds": totals[d + 1][FEED],
                  "assets": totals[d + 1][ASSET], "errors": totals[d + 1][ERROR],
                  "bytes": totals[d + 1]["bytes"]} for d in range(ndays)],
        "all_requests": [{"day": day_name[d], "visitors": everyone[d] or 0,
                          "hits": everything[d + 1]["hits"],
                          "bytes": everything[d + 1]["bytes"]} for d in range(ndays)],
        "departments": sorted(
            ({"department": code, "readers": department_readers[i],
              "pages": by_department[code][PAGE], "feeds": by_department[code][FEED],
              "bytes": by_department[code]["bytes"]} for i, code in enumerate(departments)),
            key=lambda d: (-d["readers"], -d["pages"], d["department"])),
        "readers_in_departments": in_departments,
        "readers_not_only_english": not_english if english else None,
        **counted_tops,
        "excluded": {
            "robot_hits": robot_hits,
            "behaviour_robots": len(behaviour), "behaviour_robot_hits": behaviour_hits,
            "heavy_hitters": len(heavy_keys), "heavy_hitter_pages": heavy_pages,
            "heavy_hitter_threshold": heavy, "burst_threshold": burst,
            "anonymous_views": anonymous, "dropped_views": row.dropped_views,
        },
    }


def _their_views(session: Session, keys: set[int], behaviour: set[int], start: int,
                 end: int) -> tuple[dict, Counter, int, int]:
    """What the left-out keys (not robots by agent) did, to take off the rollups."""
    days: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    tops: Counter = Counter()
    behaviour_hits = heavy_pages = 0
    listed = sorted(keys)
    for at in range(0, len(listed), CHUNK):
        for visitor, when, department, kind, agent, size, path, item, host in session.execute(
                select(PageView.visitor, PageView.at, PageView.department, PageView.kind,
                       PageView.agent, PageView.bytes, PageView.path, PageView.item_id,
                       PageView.referrer_host).where(
                    PageView.visitor.in_(listed[at:at + CHUNK]), PageView.at >= start,
                    PageView.at < end)):
            day = datetime.fromtimestamp(when, UTC).day
            total = days[(day, department, kind, agent)]
            total[0] += 1
            total[1] += size
            if visitor in behaviour:
                behaviour_hits += 1
            elif kind == PAGE:
                heavy_pages += 1
            if kind == PAGE:
                tops[("page", path[:255])] += 1
                if item is not None:
                    tops[("item", str(item))] += 1
                if host:
                    tops[("referrer", host)] += 1
    return days, tops, behaviour_hits, heavy_pages


def _tops(session: Session, month: str, minus: Counter) -> dict:
    counted: dict[str, Counter] = defaultdict(Counter)
    for dimension, key, pages in session.execute(
            select(StatsTop.dimension, StatsTop.key, func.sum(StatsTop.pages))
            .where(StatsTop.month == month, StatsTop.agent != ROBOT)
            .group_by(StatsTop.dimension, StatsTop.key)):
        left = pages - minus[(dimension, key)]
        if left > 0:
            counted[dimension][key] = left
    items = {int(key): pages for key, pages in counted["item"].items()}
    titles, of_source = {}, {}
    listed = list(items)
    for at in range(0, len(listed), CHUNK):
        for item_id, title, source_id in session.execute(
                select(Item.id, Item.title, Item.source_id)
                .where(Item.id.in_(listed[at:at + CHUNK]))):
            titles[item_id], of_source[item_id] = title, source_id
    sources: Counter = Counter()
    for item_id, pages in items.items():
        if of_source.get(item_id) is not None:
            sources[of_source[item_id]] += pages
    top_sources = sources.most_common(TOP)
    names = dict(session.execute(select(Source.id, Source.title).where(
        Source.id.in_([s for s, _ in top_sources]))).tuples().all()) if top_sources else {}
    return {
        "top_items": [{"item_id": i, "title": titles.get(i, ""), "pages": n}
                      for i, n in Counter(items).most_common(TOP)],
        "top_sources": [{"source_id": s, "title": names.get(s, ""), "pages": n}
                        for s, n in top_sources],
        "top_pages": [{"path": p, "pages": n} for p, n in counted["page"].most_common(TOP)],
        "top_referrers": [{"host": h, "pages": n}
                          for h, n in counted["referrer"].most_common(TOP)],
    }


def _by_month(session: Session, settings: Settings, month: str, readers: int) -> list[dict]:
    """Distinct readers of this month and of the months before it."""
    rows = session.execute(select(StatsMonth.month, StatsMonth.state, StatsMonth.report)
                           .where(StatsMonth.month <= month).order_by(StatsMonth.month)).all()
    found = []
    for name, state, stored in rows:
        if name == month:
            found.append({"month": name, "readers": readers})
        elif stored is not None:
            found.append({"month": name, "readers": stored["readers"]})
        elif state == StatsMonthState.OPEN:
            found.append({"month": name, "readers": count_readers(session, settings, name)})
    return found
