"""The topics page (the vocabulary, with a name per site language) and the featured
items' page; an item's own topics and place are set from its page (handlers/items.py)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.web.sessions import verify_csrf
from rabkor.editor import topics
from rabkor.editor.handlers.acting import act
from rabkor.editor.templating import render


def _names(form: dict[str, str], languages) -> dict[str, str]:
    return {lang: form.get(f"name_{lang}", "") for lang in languages}


async def topic_list(request: Request, *, error: str = "", status: int = 200,
                     typed: dict | None = None) -> Response:
    store: Store = request.app.state.store

    def read():
        with store.read() as s:
            return topics.every(s), topics.use(s)

    found, use = await run_in_threadpool(read)
    return render(request, "topics/list.html", status, topics=found, use=use, error=error,
                  typed=typed or {}, languages=request.app.state.settings.languages)


async def topic_add(request: Request) -> Response:
    form = await verify_csrf(request)
    languages = request.app.state.settings.languages
    return await _act(request, lambda s, admin: topics.add(
        s, admin, form.get("slug", ""), _names(form, languages), languages), form)


async def topic_change(request: Request) -> Response:
    form = await verify_csrf(request)
    settings: Settings = request.app.state.settings
    topic_id = request.path_params["topic_id"]
    if form.get("do") in ("retire", "restore"):
        return await _act(request, lambda s, admin: topics.switch(
            s, admin, topic_id, form.get("do") == "restore"))
    return await _act(request, lambda s, admin: topics.rename(
        s, admin, topic_id, _names(form, settings.languages), settings.languages))


async def _act(request: Request, change, typed: dict | None = None) -> Response:
    return await act(request, change, "topic_list", lambda error, status: topic_list(
        request, error=error, status=status, typed=typed))


async def featured_list(request: Request) -> Response:
    store: Store = request.app.state.store

    def read():
        with store.read() as s:
            return topics.featured(s)

    return render(request, "topics/featured.html", items=await run_in_threadpool(read))
