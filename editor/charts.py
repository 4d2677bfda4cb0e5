"""The readership page's charts as SVG drawn on the server by pygal, shown as images, so
they need no JavaScript and keep the editor's strict Content-Security-Policy (a chart's
own styles apply inside the image only); the same numbers are in tables beside them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

import pygal
from pygal.graph.graph import Graph
from pygal.style import Style

from rabkor.editor.i18n import _, language_name

# pygal appends a legacy import hook for its map plugins (unused here) to sys.meta_path;
# Python 3.11 warns about it at every import it is asked about (ImportWarning), 3.12 no
# longer calls it at all: taken out again, it changes nothing but the warnings
sys.meta_path[:] = [finder for finder in sys.meta_path
                    if type(finder).__module__ != "pygal"]

MB = 1_000_000
STYLE = Style(background="white", plot_background="white", foreground="#222",
              foreground_strong="#111", foreground_subtle="#666", opacity="1",
              colors=("#1f5fa8", "#c2561a", "#2c7a3f", "#7a3f8c"), font_family="sans-serif")


def _chart(kind: type[Graph], title: str) -> Graph:
    return kind(style=STYLE, title=title, js=[], width=720, height=300, show_legend=True,
                legend_at_bottom=True, x_label_rotation=45, truncate_label=-1,
                print_values=False, disable_xml_declaration=False)


def readers_by_month(report: Mapping[str, Any]) -> bytes:
    chart = _chart(pygal.Bar, _("Distinct readers by month"))
    chart.x_labels = [row["month"] for row in report["readers_by_month"]]
    chart.add(_("readers"), [row["readers"] for row in report["readers_by_month"]])
    return chart.render()


def pages_by_day(report: Mapping[str, Any]) -> bytes:
    chart = _chart(pygal.StackedBar, _("Pages and feeds by day"))
    chart.x_labels = [row["day"][8:] for row in report["days"]]
    chart.add(_("pages"), [row["pages"] for row in report["days"]])
    chart.add(_("feeds"), [row["feeds"] for row in report["days"]])
    return chart.render()


def megabytes_by_day(report: Mapping[str, Any]) -> bytes:
    chart = _chart(pygal.Bar, _("Megabytes by day"))
    chart.x_labels = [row["day"][8:] for row in report["days"]]
    chart.add(_("MB"), [round(row["bytes"] / MB, 1) for row in report["days"]])
    return chart.render()


def readers_by_department(report: Mapping[str, Any]) -> bytes:
    chart = _chart(pygal.HorizontalBar, _("Distinct readers by language department"))
    rows = list(reversed(report["departments"]))
    chart.x_labels = [language_name(row["department"]) for row in rows]
    chart.add(_("readers"), [row["readers"] for row in rows])
    return chart.render()


CHARTS: dict[str, Callable[[Mapping[str, Any]], bytes]] = {
    "readers": readers_by_month, "pages": pages_by_day, "megabytes": megabytes_by_day,
    "departments": readers_by_department}
