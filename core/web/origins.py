"""Which host names and origins are this site's, for links, Host headers and form posts.

The Host header is the client's to write: a link built from it points wherever the
client says (a spoofed `Host: evil.example` made the Atom feed's links and the `/`
redirect point there, for any cache between to keep). So:

- absolute URLs (the Atom feed's) start with `public_base(settings)`: the configured
  `public_url`, or `http://<host>:<port>` from the settings when it is empty — never the
  request's Host; links inside pages are paths;
- the Host header must name a trusted host (`trusted_hosts`, checked by Starlette's
  TrustedHostMiddleware: 400 otherwise);
- a state-changing request (POST, PUT, PATCH, DELETE) whose Origin header — or, when it
  has none, its Referer — names another origin than this site's is refused with a 403
  (`OriginCheck`), a second layer under the CSRF token that every form still carries.
  This site's origins: the public URL's, and the one the request itself was addressed
  to (its scheme and its Host header, which the host check has already passed). With
  neither header the request passes to the token check (some privacy tools strip
  both); `Origin: null` (a sandboxed frame, a data: page) is refused. The WebSub
  callbacks, which hubs on other origins POST to, are a separate app that this check is
  not part of.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from rabkor.core.errors import ConfigError
from rabkor.core.settings import Settings
from rabkor.core.text.urls import UrlError, WebUrl, parse_url

logger = logging.getLogger(__name__)

LOCAL_HOSTS = ("127.0.0.1", "localhost")
ANY_ADDRESS = frozenset({"", "0.0.0.0", "::"})  # a bind address, not a name to link to
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# A Host header that is a host and a port and nothing else (no `a:1@b` to read as `b`)
HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")
REFUSED = ("This request came from another site ({origin}) and was refused: changes are "
           "made only from this site's own pages. Go back to the page, reload it, and try "
           "again there.")


def _public(settings: Settings) -> WebUrl | None:
    if not settings.public_url.strip():
        return None
    try:
        return parse_url(settings.public_url)
    except UrlError as exc:
        raise ConfigError(f"setting 'public_url': {exc}") from None


def public_base(settings: Settings) -> str:
    """The start of every absolute URL: public_url without its final slash, or the
    address the server binds when none is set (127.0.0.1 for an any-address bind)."""
    public = _public(settings)
    if public is not None:
        return public.url.rstrip("/")
    host = "127.0.0.1" if settings.host in ANY_ADDRESS else settings.host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}"


def _origin(url: WebUrl) -> str:
    return f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port is not None else "")


def trusted_hosts(settings: Settings) -> list[str]:
    """The `trusted_hosts` setting, or when empty: the public URL's host, the host the
    server binds (unless it is an any-address bind), localhost and 127.0.0.1 — what
    `rabkor demo` and `rabkor run` on 127.0.0.1:8000 are reached by."""
    if settings.trusted_hosts:
        return list(settings.trusted_hosts)
    public = _public(settings)
    named = [public.host] if public else []
    if settings.host not in ANY_ADDRESS:
        named.append(f"[{settings.host}]" if ":" in settings.host else settings.host)
    return list(dict.fromkeys([*named, *LOCAL_HOSTS]))


def origin_of(value: str) -> str | None:
    """scheme://host[:port] of an Origin or Referer value, as the URL parser reads it."""
    try:
        return _origin(parse_url(value))
    except UrlError:
        return None


class OriginCheck:
    """Refuse a state-changing request from another origin (see the module docstring),
    with the application's own error page; it goes inside the session middleware, so
    that page can be rendered."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        public = _public(settings)
        self.app = app
        self.public = _origin(public) if public else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        claimed = request.headers.get("origin") or request.headers.get("referer")
        if claimed is None or origin_of(claimed) in self._ours(request):
            await self.app(scope, receive, send)
            return
        logger.warning("cross-origin request refused method=%s path=%s origin=%r",
                       scope["method"], request.url.path, claimed[:200])
        response = await self._refusal(request, origin_of(claimed) or claimed[:100])
        await response(scope, receive, send)

    def _ours(self, request: Request) -> Iterable[str]:
        host = request.headers.get("host", "")
        own = origin_of(f"{request.url.scheme}://{host}/") if HOST.fullmatch(host) else None
        return {origin for origin in (self.public, own) if origin}

    async def _refusal(self, request: Request, origin: str) -> Response:
        error = HTTPException(403, REFUSED.format(origin=origin))
        handler = getattr(request.scope.get("app"), "exception_handlers", {}).get(HTTPException)
        if handler is None:
            return PlainTextResponse(error.detail, status_code=403)
        return await handler(request, error)
