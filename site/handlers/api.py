"""The JSON API (read), under /api/v1: the published items by the listings' filters, one
item with its translations and labels, the sources, the topics and search, each list
paged by its keyset cursor; and its OpenAPI document, made from OPERATIONS. One
operation writes: a correspondent's link (site/handlers/api_submissions.py).

Each operation declares its query as a pydantic model, which both checks the request
(400 with what was wrong) and documents the parameters, and its answer as a model of
site/api.py. Every error under /api/v1 is JSON, `{"error": "…"}`; GET and HEAD are open
to scripts of any origin (CORS, no credentials). Answers go through the page cache
(ETag, 304) like the site's pages; store reads and searches run in the thread pool.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Literal, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import and_, exists, func, or_, select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from rabkor.core.errors import QueryError, RabkorError
from rabkor.core.store.models import Item, ItemStatus, Source
from rabkor.core.web.origins import public_base
from rabkor.search.query import MAX_LENGTH
from rabkor.search.service import MAX_PAGE, search
from rabkor.site import api, catalog, i18n, listings, stories
from rabkor.site.cache import cached
from rabkor.site.display import item_view
from rabkor.site.handlers.api_submissions import submission_create
from rabkor.site.handlers.listings import about_source
from rabkor.site.openapi import openapi_document
from rabkor.site.pages import absolute_url, settings_of

logger = logging.getLogger(__name__)

PREFIX = "/api/v1"
MONTH = r"^(199[0-9]|2[0-9]{3})-(0[1-9]|1[0-2])$"  # the archive's months


class Query(BaseModel):
    model_config = ConfigDict(extra="ignore")

    lang: str | None = Field(None, description="The reader's language, one of the site's "
                                               "(its first when not given): titles, "
                                               "summaries and labels in it.")


class ItemsQuery(Query):
    topic: str | None = Field(None, max_length=60, description="A topic's slug.")
    source: int | None = Field(None, ge=1, le=api.MAX_ID, description="A source's id.")
    kind: Literal["article", "audio", "video", "lecture"] | None = None
    original_language: str | None = Field(None, pattern=r"^[a-z]{2,3}$",
                                          description="Items originally in this language.")
    month: str | None = Field(None, pattern=MONTH, description="Items of a month: YYYY-MM.")
    cursor: str | None = Field(None, max_length=100,
                               description="From the previous page's `next`.")
    limit: int = Field(listings.PAGE, ge=1, le=100)


class SourcesQuery(Query):
    cursor: str | None = Field(None, pattern=r"^[0-9]{1,18}$",
                               description="From the previous page's `next`.")
    limit: int = Field(50, ge=1, le=100)


class SearchQuery(Query):
    q: str = Field(min_length=1, max_length=MAX_LENGTH, pattern=r"\S",
                   description="The search, in the site's query language (words, "
                               '"phrases", OR, -word, source:, kind:, lang:, topic:…).')
    page: int = Field(1, ge=1, le=MAX_PAGE)
    limit: int = Field(20, ge=1, le=100)


class SubmissionQuery(Query):
    lang: str | None = Field(None, description="The language of the messages, one of the "
                                               "site's (its first when not given).")


Handler = Callable[[Request], Awaitable[Response]]
Q = TypeVar("Q", bound=Query)


@dataclass(frozen=True)
class Operation:
    """One operation of the API: its path under PREFIX (Starlette's syntax), the route
    name, the handler, its query, its answer, and the error statuses it can give; for
    one that writes, its method, body, answer's status and whether it takes a token."""

    path: str
    name: str
    handler: Handler
    answer: type[BaseModel] | None  # None: the OpenAPI document itself
    query: type[Query] | None = Query
    errors: tuple[int, ...] = (400,)
    method: str = "GET"
    body: type[BaseModel] | None = None
    status: int = 200
    error: type[BaseModel] = api.Error
    bearer: bool = False


def _query(request: Request, model: type[Q]) -> tuple[Q, str]:
    """The request's parameters as `model`, and the reader's language; 400 if unusable."""
    try:
        query = model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise HTTPException(400, "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(
                include_url=False))) from None
    languages = settings_of(request).languages
    lang = languages[0] if query.lang is None else query.lang
    if lang not in languages:
        raise HTTPException(400, f"lang: one of {', '.join(languages)}")
    return query, lang


def _links(request: Request) -> api.Links:
    return lambda name, **params: absolute_url(request, name, **params)


def _next(request: Request, query: Query, lang: str, **moved: object) -> str:
    """This operation's address for the page after this one: the same parameters, moved on."""
    params = {**query.model_dump(exclude_none=True), "lang": lang, **moved}
    return f"{absolute_url(request, request.scope['route'].name)}?{urlencode(params)}"


def _json(answer: BaseModel) -> Response:
    return Response(answer.model_dump_json(), media_type="application/json")


async def _read(request: Request, lang: str, read: Callable):
    """`read(session)` in the thread pool, with the labels in the reader's language."""

    def run():
        i18n.use(lang)
        with request.app.state.store.read() as s:
            return read(s)

    return await run_in_threadpool(run)


async def items_list(request: Request) -> Response:
    """Published items, newest first, by the listings' filters.

    Filters combine (all must hold). Paged by a cursor: a page starts after the last item
    of the one before, so nothing is skipped or repeated while items are published.
    """
    query, lang = _query(request, ItemsQuery)
    link = _links(request)

    if query.cursor and not _readable(query.cursor):
        raise HTTPException(400, "cursor: not one this API gave; start again without it")

    def read(s):
        found = listings.page(s, _listing(s, query), query.cursor or "", query.limit)
        return [api.item_summary(item_view(i, lang), link, lang) for i in found.items], \
            found.next_cursor

    items, cursor = await _read(request, lang, read)
    return _json(api.ItemPage(items=items, next=_next(request, query, lang, cursor=cursor)
                              if cursor else None))


def _readable(cursor: str) -> bool:
    """Whether a listing's cursor can be read, with an id the store can compare."""
    try:
        return listings.read_cursor(cursor)[1] <= api.MAX_ID
    except listings.BadCursor:
        return False


def _listing(s, query: ItemsQuery) -> listings.Listing:
    """The listing the filters ask for; 404 for a topic or source that does not exist."""
    parts = []
    if query.topic is not None:
        topic = listings.topic_by_slug(s, query.topic)
        if topic is None or not topic.active:
            raise HTTPException(404, f"topic: there is no topic {query.topic!r}")
        parts.append(listings.Listing("topic", str(topic.id)))
    if query.source is not None:
        if listings.source_of(s, query.source) is None:
            raise HTTPException(404, f"source: there is no source {query.source}")
        parts.append(listings.Listing("source", str(query.source)))
    for by, value in (("kind", query.kind), ("language", query.original_language),
                      ("month", query.month)):
        if value is not None:
            parts.append(listings.Listing(by, value))
    return parts[0] if len(parts) == 1 else listings.AllOf(parts=tuple(parts))


async def item_show(request: Request) -> Response:
    """One published item: as its page shows it in the reader's language, what each
    part is (original, machine-translated from which language by which engine, by
    volunteers), and every translation it has."""
    _, lang = _query(request, Query)
    item_id = request.path_params["id"]
    link = _links(request)

    def read(s):
        item = catalog.approved_item(s, item_id) if item_id <= api.MAX_ID else None
        if item is None:
            raise HTTPException(404, f"there is no published item {item_id}")
        return api.item_detail(item_view(item, lang), link, lang,
                               stories.coverage_count(s, item))

    return _json(await _read(request, lang, read))


def _published(source_id):
    return exists().where(Item.source_id == source_id, Item.status == ItemStatus.APPROVED,
                          Item.duplicate_of_id.is_(None))


async def sources_list(request: Request) -> Response:
    """The sources of the directory of organisations (those read now, and those with
    published items), by id, with their own words and the publication's comment."""
    query, lang = _query(request, SourcesQuery)
    link = _links(request)

    def read(s):
        stmt = select(Source).where(or_(Source.enabled.is_(True), _published(Source.id)))
        if query.cursor:
            stmt = stmt.where(Source.id > int(query.cursor))
        found = list(s.scalars(stmt.order_by(Source.id).limit(query.limit + 1)))
        page = found[:query.limit]
        counts = dict(s.execute(
            select(Item.source_id, func.count()).where(and_(
                Item.source_id.in_([x.id for x in page]), Item.status == ItemStatus.APPROVED,
                Item.duplicate_of_id.is_(None))).group_by(Item.source_id)).all())
        return [api.source_out(x, counts.get(x.id, 0), link, lang) for x in page], \
            page[-1].id if len(found) > query.limit else None

    items, last = await _read(request, lang, read)
    return _json(api.SourcePage(items=items, next=_next(request, query, lang, cursor=last)
                                if last else None))


async def source_show(request: Request) -> Response:
    """One source, as its page on the site shows it, with its published items by
    original language."""
    _, lang = _query(request, Query)
    source_id = request.path_params["id"]
    link = _links(request)

    def read(s):
        source = listings.source_of(s, source_id) if source_id <= api.MAX_ID else None
        if source is None:
            raise HTTPException(404, f"there is no source {source_id}")
        about = about_source(s, source)
        return api.SourceDetail(**api.source_out(source, about["source_total"], link, lang),
                                languages=dict(about["source_languages"]))

    return _json(await _read(request, lang, read))


async def topics_list(request: Request) -> Response:
    """The desk's topics in use, with how many published items each has, most first
    (one page: the vocabulary is the desk's, not the crawl's)."""
    _, lang = _query(request, Query)
    link = _links(request)
    found = await _read(request, lang, listings.topics)
    return _json(api.TopicPage(items=[api.topic_out(t, n, link, lang) for t, n in found],
                               next=None))


async def search_list(request: Request) -> Response:
    """Published items matching a search, in any language they were written or
    translated in, best first; paged by number (the engine ranks every match)."""
    query, lang = _query(request, SearchQuery)
    settings = settings_of(request)
    link = _links(request)

    def run():
        i18n.use(lang)
        results = search(settings, query.q, lang=lang, page=query.page,
                         per_page=query.limit, facets=False)
        matched = {hit.item_id: hit.matched for hit in results.hits}
        with request.app.state.store.read() as s:
            items = catalog.approved_items_by_id(s, list(matched))
            hits = [{**api.item_summary(item_view(i, lang), link, lang),
                     "matched": matched[i.id]} for i in items]
        return results, hits

    try:
        results, hits = await run_in_threadpool(run)
    except QueryError as exc:
        raise HTTPException(400, f"q: {exc}") from None
    more = query.page < min(results.pages, MAX_PAGE)
    return _json(api.SearchPage(
        items=hits, total=results.total, total_estimated=results.total_estimated,
        suggestion=results.suggestion,
        next=_next(request, query, lang, page=query.page + 1) if more else None))


async def openapi_json(request: Request) -> Response:
    """This API's OpenAPI 3.1 document."""
    settings = settings_of(request)
    return JSONResponse(openapi_document(
        OPERATIONS, prefix=PREFIX, languages=settings.languages,
        server=public_base(settings),
        title=f"{settings.site_title} API"))


OPERATIONS = (
    Operation("/items", "api_items", items_list, api.ItemPage, ItemsQuery, (400, 404)),
    Operation("/items/{id:int}", "api_item", item_show, api.ItemDetail, Query, (400, 404)),
    Operation("/sources", "api_sources", sources_list, api.SourcePage, SourcesQuery),
    Operation("/sources/{id:int}", "api_source", source_show, api.SourceDetail, Query,
              (400, 404)),
    Operation("/topics", "api_topics", topics_list, api.TopicPage),
    Operation("/search", "api_search", search_list, api.SearchPage, SearchQuery),
    Operation("/openapi.json", "api_openapi", openapi_json, None, None, ()),
    Operation("/submissions", "api_submission_create", submission_create,
              api.SubmissionReceived, SubmissionQuery, (400, 401, 403, 409, 413, 429),
              method="POST",
              body=api.SubmissionIn, status=201, error=api.SubmissionError, bearer=True),
)


async def json_error(request: Request, exc: Exception) -> Response:
    """Every error under the API as `{"error": "…"}`: a program reads JSON, not a page."""
    if isinstance(exc, HTTPException):
        status, headers = exc.status_code, exc.headers
        detail = exc.detail if exc.detail != HTTPStatus(status).phrase else {
            404: f"no such address in the API: its operations are in {PREFIX}/openapi.json",
            405: "the API only reads: GET or HEAD"}.get(status, exc.detail)
    else:
        assert isinstance(exc, RabkorError)
        status, detail, headers = exc.status, str(exc), None
        if status >= 500:
            logger.error("api request failed url=%s error=%s", request.url.path, exc,
                         exc_info=exc)
            detail = HTTPStatus(status).phrase
    return JSONResponse({"error": detail}, status_code=status, headers=headers)


def api_mount() -> Mount:
    """The API's routes at PREFIX, open to other origins for reading, with JSON errors;
    and the one that writes, a correspondent's submission (by token, not cookie)."""
    return Mount(PREFIX, routes=[
        Route(op.path, cached(op.handler) if op.method == "GET" else op.handler,
              methods=[op.method], name=op.name) for op in OPERATIONS], middleware=[
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD"],
                   allow_headers=["If-None-Match"], expose_headers=["ETag"], max_age=86400),
        Middleware(ExceptionMiddleware, handlers={HTTPException: json_error,
                                                  RabkorError: json_error}),
    ])
