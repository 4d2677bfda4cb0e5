"""The readership page: a month's report with its charts (SVG images drawn on the server)
and the numbers in tables beside them; the months to choose from."""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.errors import RabkorError
from rabkor.editor.charts import CHARTS
from rabkor.editor.i18n import _
from rabkor.editor.readership import Readership
from rabkor.editor.templating import render

MONTH = re.compile(r"\d{4}-\d{2}\Z")


def _month(request: Request) -> str | None:
    month = request.query_params.get("month", "")
    if month and not MONTH.match(month):
        raise HTTPException(400, _("“{value}” is not a month; write it as 2026-11.").format(
            value=month[:20]))
    return month or None


async def readership_page(request: Request) -> Response:
    readership: Readership = request.app.state.readership
    month = _month(request)

    def read():
        months = readership.months()
        if not months:
            return months, None
        try:
            return months, readership.report(month)
        except RabkorError:
            raise HTTPException(404, _("There are no statistics for {month}.").format(
                month=month)) from None

    months, report = await run_in_threadpool(read)
    return render(request, "readership/show.html", months=months, report=report,
                  charts=list(CHARTS))


async def readership_chart(request: Request) -> Response:
    readership: Readership = request.app.state.readership
    draw = CHARTS.get(request.path_params["chart"])
    if draw is None:
        raise HTTPException(404, _("There is no such chart."))
    month = _month(request)

    def drawn() -> bytes:
        try:
            return draw(readership.report(month))
        except RabkorError:
            raise HTTPException(404, _("There are no statistics for {month}.").format(
                month=month)) from None

    return Response(await run_in_threadpool(drawn), media_type="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=60"})
