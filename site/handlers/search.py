"""The search page: the form, the results with their snippets, facets and sort, or what
was wrong with the query (and a suggestion when nothing matched)."""

from __future__ import annotations

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.errors import QueryError
from rabkor.core.store.models import Source
from rabkor.core.text.html import plain_text
from rabkor.search.service import SORTS, search
from rabkor.search.snippets import snippet
from rabkor.site import catalog
from rabkor.site.display import item_view
from rabkor.site.handlers.items import page_number
from rabkor.site.pages import reader_language, render, settings_of

PER_PAGE = 20


async def search_show(request: Request) -> Response:
    lang = reader_language(request)
    q = request.query_params.get("q")
    sort = request.query_params.get("sort", "relevance")
    sort = sort if sort in SORTS else "relevance"
    context: dict[str, object] = {"lang": lang, "q": q or "", "results": None, "error": None,
                                  "sort": sort, "sorts": SORTS}
    if q is None:
        return render(request, "search/show.html", context)
    settings = settings_of(request)
    try:
        # off the event loop: a Whoosh query takes tens of milliseconds
        results = await run_in_threadpool(search, settings, q, lang=lang,
                                          page=page_number(request), per_page=PER_PAGE, sort=sort)
    except QueryError as exc:
        return render(request, "search/show.html", {**context, "error": str(exc)},
                      status_code=exc.status)
    with request.app.state.store.read() as s:
        items = catalog.approved_items_by_id(s, [hit.item_id for hit in results.hits])
        source_ids = [int(v) for v, _ in results.facets.get("source", []) if v.isdigit()]
        sources = dict(s.execute(select(Source.id, Source.title)
                                 .where(Source.id.in_(source_ids))).all()) if source_ids else {}
    matched = {hit.item_id: hit.matched for hit in results.hits}
    rows = []
    for item in items:
        view = item_view(item, lang)
        content = (view.content_translation.text if view.content_translation
                   else plain_text(item.content))
        text = "\n".join(part for part in (view.summary, content) if part)
        rows.append((view, snippet(results.engine, text, view.shown_language or lang,
                                   results.tree) if results.engine else [],
                     matched.get(item.id, "original")))
    facets = {name: [(value, sources.get(int(value), value) if name == "source" else value,
                      count) for value, count in values]
              for name, values in results.facets.items() if values}
    return render(request, "search/show.html", {**context, "results": results, "rows": rows,
                                                "facets": facets})
