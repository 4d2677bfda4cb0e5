"""The WebSub callback routes, mounted at /websub: a hub's verification GET and its pushes.

Pushed content (RSS, Atom or JSON Feed, read as a crawl reads it) is ingested right here
in the web process, within the request: feed parsing and the item store path are plain
Python (no Scrapy), run in a worker thread. The body is read up to `max_feed_bytes` and
refused beyond; its HMAC signature must match the source's secret before a byte of it is
parsed.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from rabkor.core.errors import FeedParseError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Source, utcnow
from rabkor.crawler.parse.feed import parse_feed
from rabkor.crawler.store.items import insert_items
from rabkor.crawler.websub.hub import hub_denied, signature_valid, verify_intent

logger = logging.getLogger(__name__)

MAX_CHALLENGE = 1000


def create_app(settings: Settings, store: Store) -> Starlette:
    app = Starlette(routes=[
        Route("/{source_id:int}", websub_verify, methods=["GET"]),
        Route("/{source_id:int}", websub_push, methods=["POST"]),
    ])
    app.state.settings, app.state.store = settings, store
    return app


async def websub_verify(request: Request) -> Response:
    """Echo hub.challenge only for a request we sent and still mean; else 404.

    A subscribe: asked for and pending, source enabled. An unsubscribe: asked for, and the
    topic not one the source still wants (it was disabled, or its feed left the hub).
    """
    q = request.query_params
    mode, topic = q.get("hub.mode", ""), q.get("hub.topic", "")
    challenge = q.get("hub.challenge", "")
    source_id = request.path_params["source_id"]
    store: Store = request.app.state.store

    def record() -> bool:
        with store.transaction() as session:
            source = session.get(Source, source_id)
            if mode == "denied":
                return hub_denied(source, topic)
            return verify_intent(source, mode, topic, q.get("hub.lease_seconds", ""),
                                 utcnow())

    if mode != "denied" and not 0 < len(challenge) <= MAX_CHALLENGE:
        return PlainTextResponse("hub.challenge missing or too long", status_code=400)
    if not await run_in_threadpool(record):
        logger.info("websub verification refused source_id=%s mode=%s", source_id,
                    mode[:20])
        return PlainTextResponse("no such subscription", status_code=404)
    logger.info("websub intent verified source_id=%s mode=%s", source_id, mode[:20])
    return PlainTextResponse("" if mode == "denied" else challenge)


async def websub_push(request: Request) -> Response:
    """A content distribution: signature checked, then its new items stored at once."""
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    source_id = request.path_params["source_id"]
    body = await _bounded_body(request, settings.max_feed_bytes)
    if body is None:
        return PlainTextResponse("body too large", status_code=413)

    def ingest() -> int | None:
        with store.read() as session:
            source = session.get(Source, source_id)
            if source is None or not source.enabled or source.websub_state != "active":
                return None
            secret, topic, language = (source.websub_secret, source.websub_topic,
                                       source.language)
        if not signature_valid(secret, request.headers.get("x-hub-signature"), body):
            return -1
        feed = parse_feed(body, url=topic or "", source_language=language,
                          content_type=request.headers.get("content-type", ""))
        with store.transaction() as session:
            return insert_items(session, source_id, feed.items, utcnow())

    try:
        added = await run_in_threadpool(ingest)
    except FeedParseError as exc:
        logger.info("websub push unreadable source_id=%s error=%s", source_id, exc)
        return PlainTextResponse(f"not a feed: {exc}", status_code=400)
    if added is None:
        return PlainTextResponse("no such subscription", status_code=404)
    if added < 0:
        logger.warning("websub push with a bad signature source_id=%s", source_id)
        return PlainTextResponse("bad or missing X-Hub-Signature", status_code=403)
    logger.info("websub push stored source_id=%s new_items=%s", source_id, added)
    return PlainTextResponse("", status_code=204)


async def _bounded_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
