"""The desk's log page: every decision, note and audit event, filtered by who, what and
until when, a hundred at a time (the next page starts before the last one shown)."""

from __future__ import annotations

from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.store.db import Store
from rabkor.editor import audit
from rabkor.editor.i18n import _
from rabkor.editor.templating import render
from rabkor.editor.urls import url_for, with_query


async def log_page(request: Request) -> Response:
    store: Store = request.app.state.store
    query = request.query_params
    who, what = query.get("who", "").strip()[:100], query.get("what", "").strip()[:40]
    before, problem = None, ""
    if query.get("before"):
        try:
            before = datetime.fromisoformat(query["before"])
        except ValueError:
            problem = _("“{value}” is not a moment; the log starts from now.").format(
                value=query["before"][:40])

    def read() -> dict[str, object]:
        with store.read() as s:
            return {"entries": audit.entries(s, who=who, what=what, before=before),
                    "actions": audit.actions(s)}

    context = await run_in_threadpool(read)
    found = context["entries"]
    more = (with_query(url_for(request, "log_page"), who=who, what=what,
                       before=found[-1].at.isoformat())
            if len(found) == audit.PAGE else None)
    return render(request, "log/list.html", 400 if problem else 200, **context, who=who,
                  what=what, more=more, problem=problem)
