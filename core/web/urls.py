"""Each application resolves `url_for` names in its own routes, wherever it is mounted."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class OwnUrls:
    """Resolve `url_for` names in the app's own routes, under the path the app is mounted at.

    Mounted in another Starlette app, `url_for` would search the outer router: a named
    Mount would change every name, and a site route of the same name would win.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "router": scope["app"].router,
                     "app_root_path": scope.get("root_path", "")}
        await self.app(scope, receive, send)
