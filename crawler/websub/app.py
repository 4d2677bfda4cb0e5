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

from rabkor.core.errors import FeedParseError, RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Source, WebSubState, utcnow
from rabkor.crawler.parse.feed import parse_feed
from rabkor.crawler.store.items import insert_items
from rabkor.crawler.websub.hub import (
    DENIED_MODE,
    NoSuchSubscription,
    hub_denied,
    signature_valid,
    verify_intent,
)

logger = logging.getLogger(__name__)

MAX_CHALLENGE = 1000


class BadSignature(RabkorError):
    """A push whose X-Hub-Signature is missing, of an unknown kind, or not the HMAC of its
    body with the source's secret: it is not from the hub we subscribed at."""

    status = 403


class PushTooLarge(RabkorError):
    """A push larger than `max_feed_bytes`; nothing of it is read further."""

    status = 413


def create_app(settings: Settings, store: Store) -> Starlette:
    app = Starlette(routes=[
        Route("/{source_id:int}", websub_verify, methods=["GET"]),
        Route("/{source_id:int}", websub_push, methods=["POST"]),
    ], exception_handlers={RabkorError: error_text})
    app.state.settings, app.state.store = settings, store
    return app


async def error_text(request: Request, exc: Exception) -> Response:
    """Every RabkorError as the short plain text a hub gets, with the status of its class."""
    assert isinstance(exc, RabkorError)
    return PlainTextResponse(str(exc), status_code=exc.status)


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

    def record() -> None:
        with store.transaction() as session:
            source = session.get(Source, source_id)
            if mode == DENIED_MODE:
                hub_denied(source, topic)
            else:
                verify_intent(source, mode, topic, q.get("hub.lease_seconds", ""), utcnow())

    if mode != DENIED_MODE and not 0 < len(challenge) <= MAX_CHALLENGE:
        return PlainTextResponse("hub.challenge missing or too long", status_code=400)
    try:
        await run_in_threadpool(record)
    except NoSuchSubscription as exc:
        logger.info("websub verification refused source_id=%s mode=%s why=%s", source_id,
                    mode[:20], exc.why)
        raise
    logger.info("websub intent verified source_id=%s mode=%s", source_id, mode[:20])
    return PlainTextResponse("" if mode == DENIED_MODE else challenge)


async def websub_push(request: Request) -> Response:
    """A content distribution: signature checked, then its new items stored at once."""
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    source_id = request.path_params["source_id"]
    body = await _bounded_body(request, settings.max_feed_bytes)

    def ingest() -> int:
        with store.read() as session:
            source = session.get(Source, source_id)
            if source is None or not source.enabled \
                    or source.websub_state != WebSubState.ACTIVE:
                raise NoSuchSubscription("no active subscription for this source")
            secret, topic, language = (source.websub_secret, source.websub_topic,
                                       source.language)
        if not signature_valid(secret, request.headers.get("x-hub-signature"), body):
            raise BadSignature("bad or missing X-Hub-Signature")
        feed = parse_feed(body, url=topic or "", source_language=language,
                          content_type=request.headers.get("content-type", ""))
        with store.transaction() as session:
            return insert_items(session, source_id, feed.items, utcnow())

    try:
        added = await run_in_threadpool(ingest)
    except FeedParseError as exc:
        logger.info("websub push unreadable source_id=%s error=%s", source_id, exc)
        return PlainTextResponse(f"not a feed: {exc}", status_code=400)
    except BadSignature:
        logger.warning("websub push with a bad signature source_id=%s", source_id)
        raise
    logger.info("websub push stored source_id=%s new_items=%s", source_id, added)
    return PlainTextResponse("", status_code=204)


async def _bounded_body(request: Request, limit: int) -> bytes:
    """The request body; PushTooLarge as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PushTooLarge("body too large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PushTooLarge("body too large")
        chunks.append(chunk)
    return b"".join(chunks)
