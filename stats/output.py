"""A report as the command line writes it: text for a person, CSV (one long table:
section, key, measure, value) for a spreadsheet, JSON for a program."""

from __future__ import annotations

import csv
import io
import json

MB = 1_000_000
DAY_MEASURES = ("readers", "pages", "feeds", "assets", "errors", "bytes")


def megabytes(size: int) -> str:
    return f"{size / MB:,.1f}"


def exclusions(report: dict) -> str:
    """What was left out and why, in one sentence."""
    ex = report["excluded"]
    return (f"excluded: {ex['robot_hits']:,} robot hits (by user agent), "
            f"{ex['behaviour_robots']:,} robots by behaviour (robots.txt, more than "
            f"{ex['burst_threshold']} pages a minute) with {ex['behaviour_robot_hits']:,} "
            f"hits, {ex['heavy_hitters']:,} heavy hitters (more than "
            f"{ex['heavy_hitter_threshold']:,} pages a month) with "
            f"{ex['heavy_hitter_pages']:,} pages; {ex['anonymous_views']:,} views counted "
            f"without a visitor key (Do Not Track), {ex['dropped_views']:,} dropped (the "
            f"database was busy)")


def as_text(report: dict) -> str:
    lines = [f"readership {report['month']} ({report['state']}, computed "
             f"{report['computed_at']})",
             f"distinct readers: {report['readers']:,}"]
    before = [f"{m['month']}: {m['readers']:,}" for m in report["readers_by_month"]]
    lines.append("by month: " + ", ".join(before))
    if report["readers_in_departments"] and report["readers_not_only_english"] is not None:
        share = report["readers_not_only_english"] / report["readers_in_departments"]
        lines.append(f"readers reading in a language other than English: {share:.0%}")
    lines += [exclusions(report), "",
              f"{'day':<11}{'readers':>9}{'pages':>9}{'feeds':>7}{'assets':>8}{'errors':>8}"
              f"{'MB':>10}"]
    for day in report["days"]:
        lines.append(f"{day['day']:<11}{day['readers']:>9,}{day['pages']:>9,}"
                     f"{day['feeds']:>7,}{day['assets']:>8,}{day['errors']:>8,}"
                     f"{megabytes(day['bytes']):>10}")
    lines += ["", f"{'department':<11}{'readers':>9}{'share':>7}{'pages':>9}{'feeds':>7}"
                  f"{'MB':>10}"]
    for dep in report["departments"]:
        share = dep["readers"] / report["readers"] if report["readers"] else 0
        lines.append(f"{dep['department']:<11}{dep['readers']:>9,}{share:>7.0%}"
                     f"{dep['pages']:>9,}{dep['feeds']:>7,}{megabytes(dep['bytes']):>10}")
    for title, rows, name in (("top items", report["top_items"], "title"),
                              ("top sources", report["top_sources"], "title"),
                              ("top pages", report["top_pages"], "path"),
                              ("top referrers", report["top_referrers"], "host")):
        if rows:
            lines += ["", title]
            lines += [f"{row['pages']:>9,}  {row[name] or row.get('item_id', '')}"
                      for row in rows]
    return "\n".join(lines) + "\n"


def as_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "measure", "value"])
    writer.writerow(["month", report["month"], "readers", report["readers"]])
    for row in report["readers_by_month"]:
        writer.writerow(["readers_by_month", row["month"], "readers", row["readers"]])
    for day in report["days"]:
        for measure in DAY_MEASURES:
            writer.writerow(["day", day["day"], measure, day[measure]])
    for dep in report["departments"]:
        for measure in ("readers", "pages", "feeds", "bytes"):
            writer.writerow(["department", dep["department"], measure, dep[measure]])
    for section, key in (("top_items", "item_id"), ("top_sources", "source_id"),
                         ("top_pages", "path"), ("top_referrers", "host")):
        for row in report[section]:
            writer.writerow([section, row[key], "pages", row["pages"]])
    for measure, value in report["excluded"].items():
        writer.writerow(["excluded", "", measure, value])
    return out.getvalue()


def as_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


FORMATS = {"text": as_text, "csv": as_csv, "json": as_json}
