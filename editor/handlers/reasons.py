"""The administrators' page of rejection reasons."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.store.db import Store
from rabkor.core.web.sessions import verify_csrf
from rabkor.editor import reasons
from rabkor.editor.handlers.acting import act
from rabkor.editor.templating import render


async def reason_list(request: Request) -> Response:
    return await _page(request)


async def reason_add(request: Request) -> Response:
    form = await verify_csrf(request)
    return await _act(request, lambda s, admin: reasons.add(
        s, admin, form.get("code", ""), form.get("label", "")), form)


async def reason_change(request: Request) -> Response:
    form = await verify_csrf(request)
    active = {"retire": False, "restore": True}.get(form.get("do", ""))
    label = form.get("label") if form.get("do") == "relabel" else None
    return await _act(request, lambda s, admin: reasons.change(
        s, admin, request.path_params["code"], label=label, active=active))


async def _act(request: Request, change, typed: dict | None = None) -> Response:
    return await act(request, change, "reason_list", lambda error, status: _page(
        request, error, status, typed or {}))


async def _page(request: Request, error: str = "", status: int = 200,
                typed: dict | None = None) -> Response:
    store: Store = request.app.state.store

    def read():
        with store.read() as s:
            return reasons.every(s)

    return render(request, "reasons/list.html", status, codes=await run_in_threadpool(read),
                  error=error, typed=typed or {})
