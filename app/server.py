"""The whole web side: the editor under /editor, WebSub callbacks under /websub, the site
at /; served by uvicorn in one process or in `workers` processes on one socket, with the
pipeline in a background thread of the first (parent) process."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from uvicorn.supervisors import Multiprocess

from rabkor.app.pipeline import run_forever
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.web.apps import host_check
from rabkor.core.web.headers import NOTHING_HEADERS, HeaderedStarlette
from rabkor.core.web.origins import trusted_hosts
from rabkor.core.web.sessions import SessionMiddleware, secure_cookies
from rabkor.crawler.sources.desk import SourceDesk
from rabkor.crawler.websub.app import create_app as create_websub
from rabkor.editor.app import create_app as create_editor
from rabkor.site.app import create_app as create_site
from rabkor.stats.capture import CaptureMiddleware, Recorder
from rabkor.stats.readership import Readership

logger = logging.getLogger(__name__)


def create_app(settings: Settings, store: Store) -> Starlette:
    """The three apps under one Host check and one session; the editor and the site set
    their own security headers, the WebSub callbacks get the load-nothing set, and they
    alone take POSTs from other origins (hubs), so the Origin check stays in the two apps.
    The site alone is wrapped by the statistics' capture (its own static files counted
    as assets, apart from pages); the queued views are written when the server stops."""
    site = create_site(settings, store)
    recorder = Recorder(settings) if settings.stats_enabled else None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if recorder is not None:
            recorder.stop()

    app = HeaderedStarlette(
        security_headers=NOTHING_HEADERS,
        only_missing=True,
        routes=[
            Mount("/editor", app=create_editor(settings, store,
                                               sources=SourceDesk(settings, store),
                                               readership=Readership(settings, store))),
            Mount("/websub", app=create_websub(settings, store)),
            Mount("/", app=CaptureMiddleware(site, recorder) if recorder else site),
        ],
        middleware=[host_check(settings),
                    Middleware(SessionMiddleware, store=store,
                               secure_cookie=secure_cookies(settings))],
        lifespan=lifespan,
    )
    app.state.stats_recorder = recorder
    return app


def worker_app(settings: Settings) -> Starlette:
    """The app in a worker process, over its own connections (the parent migrated the
    store); uvicorn calls it in each worker it starts."""
    return create_app(settings, Store(settings))


def serve(settings: Settings, store: Store, *, with_pipeline: bool) -> None:
    """Serve until Ctrl-C (or SIGTERM); then stop the pipeline and wait for its cycle."""
    stop = threading.Event()
    worker = None
    if with_pipeline:
        worker = threading.Thread(target=run_forever, args=(settings, store, stop),
                                  name="pipeline", daemon=True)
        worker.start()
    options = {"host": settings.host, "port": settings.port, "log_level": "warning",
               "proxy_headers": True}
    print(f"site:   http://{settings.host}:{settings.port}/", flush=True)
    print(f"editor: http://{settings.host}:{settings.port}/editor/", flush=True)
    print(f"hosts:  {', '.join(trusted_hosts(settings))} (any other Host header gets a 400; "
          "set public_url or trusted_hosts to add names)", flush=True)
    try:
        if settings.workers == 1:
            uvicorn.Server(uvicorn.Config(create_app(settings, store), **options)).run()
        else:
            config = uvicorn.Config(functools.partial(worker_app, settings), factory=True,
                                    workers=settings.workers, **options)
            Multiprocess(config, sockets=[config.bind_socket()]).run()
    except KeyboardInterrupt:
        pass  # uvicorn has shut down already and re-raises the signal for us to see
    finally:
        stop.set()
        if worker is not None:
            logger.info("waiting for the pipeline to finish its step")
            worker.join(timeout=60)
        store.close()
        print("stopped", flush=True)
