"""The editorial web application: `create_app(settings, store)` builds it, tests drive it.

It runs standalone or mounted under a prefix (the combined server mounts it at /editor);
every link and redirect is built by name with `rabkor.editor.urls.url_for`.
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rabkor.core.errors import InvalidTransition
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.web.sessions import SessionMiddleware
from rabkor.core.web.urls import OwnUrls
from rabkor.editor.handlers import auth, decisions, queue, translations
from rabkor.editor.postedit import IncompleteTranslation, PostEditConflict
from rabkor.editor.templating import make_templates, render
from rabkor.editor.workflow import NotPermitted

STATIC = Path(__file__).parent / "static"
# Errors the workflow raises on purpose, and the HTTP status each one means.
ERROR_STATUS: dict[type[Exception], int] = {InvalidTransition: 409, NotPermitted: 403,
                                            PostEditConflict: 409, IncompleteTranslation: 400}


async def error_page(request: Request, exc: Exception) -> Response:
    """Every error as a page a person can read, with the status that fits it."""
    if isinstance(exc, HTTPException):
        status, message, headers = exc.status_code, exc.detail, exc.headers
    else:
        text = str(exc)
        status = next(code for kind, code in ERROR_STATUS.items() if isinstance(exc, kind))
        message, headers = f"{text[:1].upper()}{text[1:]}.", None
    response = render(request, "errors/error.html", status, status=status,
                      title=HTTPStatus(status).phrase, message=message)
    response.headers.update(headers or {})
    return response


TRANSLATION_ROUTES = [
    Route("/translations", translations.translation_list, name="translation_list"),
    Route("/translations/reviews", translations.review_list, name="review_list"),
    Route("/translations/{item_id:int}/{lang}", translations.translation_edit,
          name="translation_edit"),
    Route("/translations/{item_id:int}/{lang}", translations.translation_save, methods=["POST"],
          name="translation_save"),
    Route("/translations/{item_id:int}/{lang}/claim", translations.translation_claim,
          methods=["POST"], name="translation_claim"),
    Route("/translations/{item_id:int}/{lang}/release", translations.translation_release,
          methods=["POST"], name="translation_release"),
    Route("/translations/{item_id:int}/{lang}/history", translations.translation_history,
          name="translation_history"),
    Route("/translations/revisions/{revision_id:int}", translations.revision_show,
          name="revision_show"),
    Route("/translations/revisions/{revision_id:int}/accept", translations.revision_accept,
          methods=["POST"], name="revision_accept"),
    Route("/translations/revisions/{revision_id:int}/return", translations.revision_return,
          methods=["POST"], name="revision_return"),
]


def create_app(settings: Settings, store: Store) -> Starlette:
    """The editor on `store`; sessions are its own unless an outer app already provides them."""
    routes = [
        Route("/", queue.queue_list, name="queue_list"),
        Route("/items/{item_id:int}/approve", queue.item_approve, methods=["POST"],
              name="item_approve"),
        Route("/items/{item_id:int}/reject", queue.item_reject, methods=["POST"],
              name="item_reject"),
        Route("/items/{item_id:int}/reopen", queue.item_reopen, methods=["POST"],
              name="item_reopen"),
        Route("/decisions", decisions.decision_list, name="decision_list"),
        *TRANSLATION_ROUTES,
        Route("/login", auth.login_form, name="login_form"),
        Route("/login", auth.login_submit, methods=["POST"], name="login_submit"),
        Route("/logout", auth.logout, methods=["POST"], name="logout"),
        Mount("/static", StaticFiles(directory=STATIC), name="editor_static"),
    ]
    handlers = {HTTPException: error_page, **dict.fromkeys(ERROR_STATUS, error_page)}
    app = Starlette(
        routes=routes,
        middleware=[Middleware(OwnUrls), Middleware(SessionMiddleware, store=store)],
        exception_handlers=handlers,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.templates = make_templates(settings)
    return app
