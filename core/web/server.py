"""One ASGI application for the whole web side: the editor under /editor, the site at /."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.web.sessions import SessionMiddleware


def create_app(settings: Settings, store: Store) -> Starlette:
    from rabkor.crawler.websub_app import create_app as create_websub
    from rabkor.editor.app import create_app as create_editor
    from rabkor.site.app import create_app as create_site

    return Starlette(
        routes=[
            Mount("/editor", app=create_editor(settings, store)),
            Mount("/websub", app=create_websub(settings, store)),
            Mount("/", app=create_site(settings, store)),
        ],
        middleware=[Middleware(SessionMiddleware, store=store)],
    )
