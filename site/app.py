"""The public site: `create_app(settings, store)` builds it; handlers live in site/handlers."""

from __future__ import annotations

import logging
from http import HTTPStatus

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rabkor.core.errors import RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.web.apps import web_app
from rabkor.core.web.headers import SITE_HEADERS
from rabkor.site.cache import PageCache, cached
from rabkor.site.handlers.api import api_mount
from rabkor.site.handlers.items import items_show, story_show
from rabkor.site.handlers.languages import choose_language, home_redirect
from rabkor.site.handlers.listings import (
    archive_index,
    home,
    listing_feed,
    listing_page,
    source_directory,
    topic_index,
)
from rabkor.site.handlers.moderation import moderation_log
from rabkor.site.handlers.people import contributors_index, correspondent_show
from rabkor.site.handlers.search import search_show
from rabkor.site.handlers.submissions import (
    submissions_create,
    submissions_new,
    submissions_received,
)
from rabkor.site.i18n import N_, _, use
from rabkor.site.intake import SubmissionThrottle
from rabkor.site.pages import HERE, make_templates, named_routes, render

logger = logging.getLogger(__name__)

# each listing: its pages, and its feeds at …/feed.atom, feed.rss, feed.json
LISTING_PATHS = {
    "latest": ("/{lang}/latest", "/{lang}/feed.{fmt}"),
    "topic": ("/{lang}/topics/{slug}", None),
    "source": ("/{lang}/sources/{source_id:int}", None),
    "kind": ("/{lang}/kinds/{kind}", None),
    "original_language": ("/{lang}/originally/{code}", None),
    "month": ("/{lang}/archive/{year:int}/{month:int}", None),
}
LISTING_ROUTES = [
    route
    for name, (path, feed) in LISTING_PATHS.items()
    for route in (Route(path, cached(listing_page(name)), name=name),
                  Route(feed or f"{path}/feed.{{fmt}}", cached(listing_feed(name)),
                        name=f"{name}_feed"))
]

ROUTES = [
    Mount("/static", StaticFiles(directory=HERE / "static"), name="site_static"),
    api_mount(),
    Route("/", home_redirect, name="home_redirect"),
    Route("/{lang}/", cached(home), name="items_list"),
    Route("/{lang}/language", choose_language, name="choose_language"),
    Route("/{lang}/items/{id:int}", cached(items_show), name="items_show"),
    Route("/{lang}/items/{id:int}/story", cached(story_show), name="story_show"),
    Route("/{lang}/search", cached(search_show), name="search_show"),
    *LISTING_ROUTES,
    Route("/{lang}/topics", cached(topic_index), name="topics"),
    Route("/{lang}/sources", cached(source_directory), name="sources"),
    Route("/{lang}/archive", cached(archive_index), name="archive"),
    Route("/{lang}/contributors", cached(contributors_index), name="contributors"),
    Route("/{lang}/correspondents/{user_id:int}", cached(correspondent_show),
          name="correspondent"),
    Route("/{lang}/submit", submissions_new, methods=["GET"], name="submissions_new"),
    Route("/{lang}/submit", submissions_create, methods=["POST"], name="submissions_create"),
    Route("/{lang}/submit/received", submissions_received, name="submissions_received"),
    Route("/{lang}/moderation", moderation_log, name="moderation_log"),
]

FALLBACK = N_("Something went wrong.")
GENERIC_MESSAGES = {
    404: N_("There is no such page."),
    405: N_("This address does not accept that kind of request."),
}


def create_app(settings: Settings, store: Store) -> Starlette:
    """The public site over this store, with the guards of rabkor.core.web.apps; mount it
    at / (the editor goes at /editor first)."""
    app = web_app(settings, store, routes=ROUTES, headers=SITE_HEADERS,
                  exception_handlers={HTTPException: error_page, RabkorError: error_page})
    app.state.templates = make_templates()
    app.state.named_routes = named_routes(app.routes)
    app.state.page_cache = PageCache(settings.page_cache_seconds, store.changes)
    app.state.submission_throttle = SubmissionThrottle(settings)  # the form's and the API's
    return app


async def error_page(request: Request, exc: Exception) -> Response:
    """Errors as pages of the site, in the reader's language when the URL names one.

    An HTTPException says its own status; a RabkorError the status its class states, and
    its message unless it is Rabkor's own failure (5xx), which readers see in general words
    and the log records in full.
    """
    # an address no route matched has no {lang}: its first segment may still name one
    lang = request.path_params.get("lang") or request.url.path.strip("/").split("/")[0]
    if lang not in request.app.state.settings.languages:
        lang = None
    if isinstance(exc, HTTPException):
        status, detail, headers = exc.status_code, exc.detail, exc.headers
    else:
        assert isinstance(exc, RabkorError)
        status, detail, headers = exc.status, str(exc), None
        if status >= 500:
            logger.error("site request failed url=%s error=%s", request.url.path, exc,
                         exc_info=exc)
            detail = HTTPStatus(status).phrase
    generic = detail == HTTPStatus(status).phrase  # Starlette's own wording, or a 5xx
    if lang:
        use(lang)
    message = _(GENERIC_MESSAGES.get(status, FALLBACK)) if generic \
        else detail
    response = render(request, "error.html", {"lang": lang, "message": message},
                      status_code=status)
    response.headers.update(headers or {})
    return response
