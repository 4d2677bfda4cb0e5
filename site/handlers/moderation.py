"""The public moderation log's page, when the setting shows it."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from rabkor.site import i18n, moderation
from rabkor.site.pages import reader_language, render, settings_of


async def moderation_log(request: Request) -> Response:
    lang = reader_language(request)
    if not settings_of(request).public_moderation_log:
        raise HTTPException(404, i18n._("There is no such page."))
    before = request.query_params.get("before", "")
    with request.app.state.store.read() as s:
        rows = moderation.refusals(s, before=int(before) if before.isdigit() else None)
    return render(request, "moderation/list.html", {
        "lang": lang, "rows": rows,
        "next_before": rows[-1].decision_id if len(rows) == moderation.PAGE else None})
