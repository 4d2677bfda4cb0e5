"""Security headers on every response of the web applications, errors and 500s included.

Each application states its Content-Security-Policy as directives. Both are strict: no
inline script or style anywhere (the templates have none; styles are the static
stylesheets), no plugins, no <base>, forms posted only to the site itself, and no page
framed by another (frame-ancestors 'none', with X-Frame-Options: DENY for browsers
older than CSP 2). Images and media come from the site itself or from https: addresses;
which of those a page names is `rabkor.core.text.urls.remote_resource`'s rule (public
hosts only, plain http upgraded), because a CSP can say "https:" but not "not my
reader's intranet".

`HeaderedStarlette` puts the headers outside Starlette's ServerErrorMiddleware, which
sits outside every middleware an app is given: there a 500 carries them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' https:",
    "media-src": "'none'",
    "frame-src": "'none'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The public site: podcast and video files play from their hosts (https: only, see above),
# YouTube videos play in the privacy-enhanced embed that site/templates/items/show.html uses.
SITE_CSP = {**STRICT, "media-src": "'self' https:",
            "frame-src": "https://www.youtube-nocookie.com"}
# The editor shows outside HTML before anyone else does, and plays nothing.
EDITOR_CSP = STRICT
# What neither app answers (the WebSub callbacks: plain text for hubs) loads nothing.
NOTHING_CSP = {"default-src": "'none'", "frame-ancestors": "'none'", "base-uri": "'none'",
               "form-action": "'none'"}


def csp(directives: Mapping[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(directives: Mapping[str, str], referrer: str) -> dict[str, str]:
    """The header set: the policy, nosniff, no framing, and how much of a page's address
    other sites learn when it links to them or loads from them (`referrer`)."""
    return {
        "Content-Security-Policy": csp(directives),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": referrer,
    }


# Readers' pages tell the sites they load from or link to the origin only, never which item
# was read; the editor tells them nothing.
SITE_HEADERS = security_headers(SITE_CSP, "strict-origin-when-cross-origin")
EDITOR_HEADERS = security_headers(EDITOR_CSP, "same-origin")
NOTHING_HEADERS = security_headers(NOTHING_CSP, "no-referrer")


class SecurityHeaders:
    """Sets `headers` on every HTTP response; with `only_missing`, leaves those an inner
    application set already (an outer app wrapping mounted ones)."""

    def __init__(self, app: ASGIApp, headers: Mapping[str, str],
                 only_missing: bool = False) -> None:
        self.app, self.headers, self.only_missing = app, dict(headers), only_missing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if not (self.only_missing and name in headers):
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeaderedStarlette(Starlette):
    """A Starlette application whose every response, a 500 too, has `security_headers`."""

    def __init__(self, *, security_headers: Mapping[str, str], only_missing: bool = False,
                 **kwargs: Any) -> None:
        self.security_headers, self.only_missing = security_headers, only_missing
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), self.security_headers,
                               self.only_missing)
