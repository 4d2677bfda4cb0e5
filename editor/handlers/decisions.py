"""The audit trail: who decided what about which item, when and why."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.store.db import Store
from rabkor.editor.handlers.flash import confirmation
from rabkor.editor.queue import recent_decisions, reopenable
from rabkor.editor.templating import render


async def decision_list(request: Request) -> Response:
    store: Store = request.app.state.store

    def read() -> dict[str, object]:
        with store.read() as session:
            decisions = recent_decisions(session)
            return {"decisions": decisions, "reopenable": reopenable(decisions),
                    "confirmation": confirmation(session, request.query_params)}

    return render(request, "decisions/list.html", **await run_in_threadpool(read))
