"""The search page: the form, and the results or what was wrong with the query."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.errors import QueryError
from rabkor.site import catalog
from rabkor.site.display import item_view
from rabkor.site.handlers.items import page_number
from rabkor.site.pages import reader_language, render, settings_of
from rabkor.site.search.query import search

PER_PAGE = 20


async def search_show(request: Request) -> Response:
    lang = reader_language(request)
    q = request.query_params.get("q")
    context: dict[str, object] = {"lang": lang, "q": q or "", "results": None, "error": None}
    if q is None:
        return render(request, "search/show.html", context)
    try:
        results = search(settings_of(request), q, lang=lang, page=page_number(request),
                         per_page=PER_PAGE)
    except QueryError as exc:
        return render(request, "search/show.html", {**context, "error": str(exc)},
                      status_code=exc.status)
    with request.app.state.store.read() as s:
        items = catalog.approved_items_by_id(s, [hit.item_id for hit in results.hits])
    views = [item_view(item, lang) for item in items]
    return render(request, "search/show.html", {**context, "results": results, "views": views})
