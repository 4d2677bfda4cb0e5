"""The source directory's pages: the list (filtered, paged by cursor), a source's page
(health, classification, its items), adding by address, OPML in and out, and the managed
list of categories."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.errors import InvalidInput, RabkorError
from rabkor.core.store.db import Store
from rabkor.core.store.models import MediaKind
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.editor import sources
from rabkor.editor.audit import record
from rabkor.editor.handlers.acting import act, as_signed_in
from rabkor.editor.i18n import _
from rabkor.editor.templating import render
from rabkor.editor.urls import url_for
from rabkor.editor.users import user_of

STATES = ("ok", "failing", "never fetched", "disabled")


def _parts(request: Request) -> tuple[Store, sources.Intake]:
    return request.app.state.store, request.app.state.sources


async def source_list(request: Request) -> Response:
    return await _list_page(request)


async def _list_page(request: Request, *, error: str = "", status: int = 200,
                     typed: dict | None = None, added=None) -> Response:
    store, intake = _parts(request)
    q = request.query_params
    wanted = {"text": q.get("q", ""), "category": q.get("category", ""),
              "state": q.get("state", "") if q.get("state", "") in STATES else ""}

    def read():
        with store.read() as s:
            page = sources.directory(s, intake, after=q.get("after", ""), **wanted)
            return page, sources.categories(s, active_only=True)

    page, categories = await run_in_threadpool(read)
    return render(request, "sources/list.html", status, page=page, wanted=wanted,
                  categories=categories, states=STATES, kinds=[k.value for k in MediaKind],
                  error=error, typed=typed or {"url": q.get("add", "")[:2048]},
                  added=added)


async def source_add(request: Request) -> Response:
    """Add the feed behind an address; the site's other feeds are offered to add too."""
    form = await verify_csrf(request)
    store, intake = _parts(request)
    editor_id = session_of(request).user_id
    typed = {k: form.get(k, "") for k in ("url", "kind", "category", "language")}
    pick = form.get("pick", "")

    def work():
        fields = {"category": typed["category"] or None,
                  "language": typed["language"] or None}
        with store.read() as s:
            if fields["category"] and fields["category"] not in {
                    c.name for c in sources.categories(s, active_only=True)}:
                raise InvalidInput(_("choose a category from the list"))
        added = intake.add_from_site(typed["url"], pick=int(pick) if pick.isdigit() else None,
                                     kind=typed["kind"] or None, **fields)
        with store.transaction() as s:
            editor = user_of(s, editor_id)
            for source_id, _url in added.sources:
                sources.recorded(s, editor, "source added", sources.source_of(s, source_id))
        return added

    try:
        added = await run_in_threadpool(work)
    except RabkorError as exc:
        return await _list_page(request, error=str(exc), status=exc.status, typed=typed)
    if len(added.candidates) <= 1 and not added.warning:
        source_id = added.sources[0][0]
        return RedirectResponse(url_for(request, "source_show", source_id=source_id),
                                status_code=303)
    return await _list_page(request, typed=typed, added=added)


async def source_show(request: Request, *, error: str = "", status: int = 200,
                      typed: dict | None = None) -> Response:
    store, intake = _parts(request)
    source_id = request.path_params["source_id"]

    def read():
        with store.read() as s:
            source = sources.source_of(s, source_id)
            return (source, intake.state(source), sources.latest_items(s, source_id),
                    sources.categories(s, active_only=True))

    source, state, items, categories = await run_in_threadpool(read)
    return render(request, "sources/show.html", status, source=source, state=state,
                  items=items, categories=categories, kinds=[k.value for k in MediaKind],
                  full_text=sources.full_text_word(source), error=error, typed=typed,
                  saved=request.query_params.get("saved") == "1")


async def source_edit(request: Request) -> Response:
    form = await verify_csrf(request)
    source_id = request.path_params["source_id"]
    try:
        await as_signed_in(request, lambda s, editor: sources.edit(s, editor, source_id, form))
    except InvalidInput as exc:
        return await source_show(request, error=str(exc), status=exc.status, typed=form)
    return RedirectResponse(f"{url_for(request, 'source_show', source_id=source_id)}?saved=1",
                            status_code=303)


async def source_switch(request: Request) -> Response:
    """Enable or disable a source, through the crawler's health table."""
    form = await verify_csrf(request)
    intake = request.app.state.sources
    source_id = request.path_params["source_id"]
    enable = form.get("enabled") == "1"

    def switch(s, editor) -> None:
        source = (intake.enable if enable else intake.disable)(s, source_id)
        sources.recorded(s, editor, "source enabled" if enable else "source disabled", source)

    await as_signed_in(request, switch)
    return RedirectResponse(url_for(request, "source_show", source_id=source_id),
                            status_code=303)


async def sources_export(request: Request) -> Response:
    store, intake = _parts(request)

    def read() -> bytes:
        with store.read() as s:
            return intake.export_opml(s)

    return Response(await run_in_threadpool(read), media_type="text/x-opml; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="sources.opml"'})


async def sources_import(request: Request) -> Response:
    await verify_csrf(request)
    intake = request.app.state.sources
    upload = (await request.form()).get("opml")
    if not isinstance(upload, UploadFile):
        return await _list_page(request, error=_("choose an OPML file to import"),
                                status=400)
    limit = intake.max_opml_bytes  # read no more than the parser would take
    data = await upload.read(limit + 1)
    if len(data) > limit:
        return await _list_page(request, status=413, error=_(
            "the OPML file is larger than {size} MB").format(size=limit // (1024 * 1024)))

    def add(s, editor) -> int:
        added = intake.import_opml(s, data)
        record(s, editor, "sources imported",
               after={"count": len(added), "file": upload.filename or ""})
        return len(added)

    try:
        count = await as_signed_in(request, add)
    except RabkorError as exc:
        return await _list_page(request, error=str(exc), status=exc.status)
    return await _list_page(request, added=count)


async def category_list(request: Request, *, error: str = "", status: int = 200) -> Response:
    store: Store = request.app.state.store

    def read():
        with store.read() as s:
            return sources.categories(s), sources.category_use(s)

    found, use = await run_in_threadpool(read)
    return render(request, "sources/categories.html", status, categories=found, use=use,
                  error=error)


async def category_add(request: Request) -> Response:
    form = await verify_csrf(request)
    return await _category_act(request, lambda s, admin: sources.add_category(
        s, admin, form.get("name", "")))


async def category_switch(request: Request) -> Response:
    form = await verify_csrf(request)
    return await _category_act(request, lambda s, admin: sources.switch_category(
        s, admin, form.get("name", ""), form.get("active") == "1"))


async def _category_act(request: Request, change) -> Response:
    return await act(request, change, "category_list", lambda error, status: category_list(
        request, error=error, status=status))
