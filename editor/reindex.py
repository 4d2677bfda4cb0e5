"""An editor's decision reaches the search index within seconds: the items just
approved, rejected, reopened or given a human translation are indexed right after the
response is sent (a background task), not at the next cycle of `rabkor run`. If that
fails (another process holds the index a long time), the items stay due in the store
and the next cycle indexes them: nothing is lost."""

from __future__ import annotations

import logging

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core.errors import RabkorError
from rabkor.search.indexer import update_index

logger = logging.getLogger(__name__)


def reindexing(request: Request, response: Response, item_ids: list[int]) -> Response:
    """`response`, indexing `item_ids` once it has been sent."""
    settings, store = request.app.state.settings, request.app.state.store

    async def run() -> None:
        try:
            await run_in_threadpool(update_index, settings, store, item_ids=item_ids)
        except RabkorError as exc:
            logger.warning("items %s not indexed yet (the next cycle will): %s", item_ids, exc)

    response.background = BackgroundTask(run)
    return response
