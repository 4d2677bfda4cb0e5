"""The frame both web applications are built in, so that neither can miss a guard.

From the outside in: the security headers (rabkor.core.web.headers, outside even
Starlette's 500 handling), the Host check (Starlette's TrustedHostMiddleware over
`trusted_hosts`: 400 for another name), `url_for` in the app's own routes
(rabkor.core.web.urls), the session (rabkor.core.web.sessions: `__Host-` and Secure
cookies when the public URL is https) and the Origin/Referer check on state-changing
requests (rabkor.core.web.origins), inside the session so that its 403 is the app's own
error page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import BaseRoute

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.web.headers import HeaderedStarlette
from rabkor.core.web.origins import OriginCheck, trusted_hosts
from rabkor.core.web.sessions import SessionMiddleware, secure_cookies
from rabkor.core.web.urls import OwnUrls


def host_check(settings: Settings) -> Middleware:
    return Middleware(TrustedHostMiddleware, allowed_hosts=trusted_hosts(settings),
                      www_redirect=False)


def web_app(settings: Settings, store: Store, *, routes: Sequence[BaseRoute],
            headers: Mapping[str, str], exception_handlers: Mapping[Any, Any]) -> Starlette:
    """A Starlette app over `routes` with every guard in place; its state holds
    `settings` and `store`."""
    app = HeaderedStarlette(
        security_headers=headers,
        routes=list(routes),
        middleware=[
            host_check(settings),
            Middleware(OwnUrls),
            Middleware(SessionMiddleware, store=store, secure_cookie=secure_cookies(settings)),
            Middleware(OriginCheck, settings=settings),
        ],
        exception_handlers=dict(exception_handlers),
    )
    app.state.settings = settings
    app.state.store = store
    return app
