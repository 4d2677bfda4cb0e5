"""A month's report, from the rollups and distinct counts alone (never a scan of the
visitor keys or the single views, whatever their number): distinct readers, each day's
pages, feeds, assets, errors and bytes, the language departments, the share of readers
by reading language, top items, sources, pages and referrers, and what was left out and
why (robots by agent class, robots by behaviour and heavy hitters by the reason their
views carry in the rollups)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rabkor.core.errors import RabkorError
from rabkor.core.store.kinds import StatsMonthState
from rabkor.core.store.models import (
    Item,
    PageView,
    Source,
    StatsCount,
    StatsDay,
    StatsMonth,
    StatsTop,
)
from rabkor.stats.classify import ASSET, ERROR, FEED, PAGE, ROBOT
from rabkor.stats.months import bounds
from rabkor.stats.record import BEHAVIOUR, HEAVY

TOP = 20
CHUNK = 500


def _counts(session: Session, month: str) -> dict[tuple[str, int], int]:
    return {(measure, index): value for measure, index, value in session.execute(
        select(StatsCount.measure, StatsCount.index, StatsCount.value)
        .where(StatsCount.month == month))}


def count_readers(session: Session, month: str) -> int:
    row = session.get(StatsMonth, month)
    if row is not None and row.report is not None:
        return row.report["readers"]
    return _counts(session, month).get(("readers", 0), 0)


def months(session: Session) -> list[str]:
    """Every month with statistics, newest first."""
    return list(session.scalars(select(StatsMonth.month).order_by(StatsMonth.month.desc())))


def report(session: Session, month: str | None = None) -> dict:
    """The stored report of a closed month, else the open month's computed now; without
    `month`, the newest."""
    month = month or next(iter(months(session)), None)
    row = session.get(StatsMonth, month) if month else None
    if row is None:
        raise RabkorError(f"no statistics for {month}" if month else "no statistics yet")
    if row.report is not None:
        return row.report
    return compute_report(session, month)


def compute_report(session: Session, month: str) -> dict:
    """The report from the month's rollups and distinct counts (rabkor.stats.record keeps
    them by the thresholds the month opened with)."""
    row = session.get(StatsMonth, month)
    departments = list(row.departments)
    start, end = bounds(month)
    ndays = (end - start) // 86400
    counts = _counts(session, month)

    totals: dict[int, Counter] = defaultdict(Counter)
    everything: dict[int, Counter] = defaultdict(Counter)
    by_department: dict[str, Counter] = defaultdict(Counter)
    left = Counter()
    for day, department, kind, agent, out, hits, size in session.execute(
            select(StatsDay.day, StatsDay.department, StatsDay.kind, StatsDay.agent,
                   StatsDay.left_out, StatsDay.hits, StatsDay.bytes)
            .where(StatsDay.month == month)):
        everything[day]["hits"] += hits
        everything[day]["bytes"] += size
        if agent == ROBOT:
            left[ROBOT] += hits
        elif out:
            left[out] += hits
            left[f"{out} {kind}"] += hits
        else:
            totals[day][kind] += hits
            totals[day]["bytes"] += size
            if department:
                by_department[department][kind] += hits
                by_department[department]["bytes"] += size

    anonymous = session.execute(select(func.count()).select_from(PageView).where(
        PageView.visitor.is_(None), PageView.at >= start, PageView.at < end)).scalar_one()
    day_name = [datetime.fromtimestamp(start + d * 86400, UTC).strftime("%Y-%m-%d")
                for d in range(ndays)]
    readers = counts.get(("readers", 0), 0)
    return {
        "month": month,
        "state": str(row.state),
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "readers": readers,
        "readers_by_month": _by_month(session, month, readers),
        "days": [{"day": day_name[d], "readers": counts.get(("reader_day", d), 0),
                  "pages": totals[d + 1][PAGE], "feeds": totals[d + 1][FEED],
                  "assets": totals[d + 1][ASSET], "errors": totals[d + 1][ERROR],
                  "bytes": totals[d + 1]["bytes"]} for d in range(ndays)],
        "all_requests": [{"day": day_name[d], "visitors": counts.get(("everyone_day", d), 0),
                          "hits": everything[d + 1]["hits"],
                          "bytes": everything[d + 1]["bytes"]} for d in range(ndays)],
        "departments": sorted(
            ({"department": code, "readers": counts.get(("department", i), 0),
              "pages": by_department[code][PAGE], "feeds": by_department[code][FEED],
              "bytes": by_department[code]["bytes"]} for i, code in enumerate(departments)),
            key=lambda d: (-d["readers"], -d["pages"], d["department"])),
        "readers_in_departments": counts.get(("in_departments", 0), 0),
        "readers_not_only_english": (counts.get(("not_english", 0), 0)
                                     if "en" in departments else None),
        **_tops(session, month),
        "excluded": {
            "robot_hits": left[ROBOT],
            "behaviour_robots": counts.get((BEHAVIOUR, 0), 0),
            "behaviour_robot_hits": left[BEHAVIOUR],
            "heavy_hitters": counts.get((HEAVY, 0), 0),
            "heavy_hitter_pages": left[f"{HEAVY} {PAGE}"],
            "heavy_hitter_threshold": row.heavy_hitter_pages,
            "burst_threshold": row.burst_pages,
            "anonymous_views": anonymous, "dropped_views": row.dropped_views,
        },
    }


def _tops(session: Session, month: str) -> dict:
    counted: dict[str, Counter] = defaultdict(Counter)
    for dimension, key, pages in session.execute(
            select(StatsTop.dimension, StatsTop.key, func.sum(StatsTop.pages))
            .where(StatsTop.month == month, StatsTop.agent != ROBOT, StatsTop.left_out == "")
            .group_by(StatsTop.dimension, StatsTop.key)):
        if pages > 0:
            counted[dimension][key] = pages
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


def _by_month(session: Session, month: str, readers: int) -> list[dict]:
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
            found.append({"month": name, "readers": count_readers(session, name)})
    return found
