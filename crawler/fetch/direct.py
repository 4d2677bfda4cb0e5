"""Single guarded HTTP requests outside Scrapy: autodiscovery pages, WebSub hub requests and
correspondents' submitted links.

These run in the command line or the web process, where no Twisted reactor runs, so
they go through httpx instead; the same address guard applies on the address each
socket actually connects to (a DNS name pointing at 127.0.0.1 included), on every
redirect hop, and bodies are bounded after decompression and in total time.
"""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpcore
import httpx

from rabkor.core.errors import FetchError
from rabkor.core.settings import Settings
from rabkor.core.text.urls import DEFAULT_PORTS, parse_url
from rabkor.crawler.fetch.guard import check_url, refusal
from rabkor.crawler.fetch.limits import (
    REDIRECT_MAX_TIMES,
    USER_AGENT,
    http_status_text,
    human_bytes,
)

logger = logging.getLogger(__name__)

REFUSED = "refused by the address guard: "


class AddressRefused(FetchError):
    """The address guard refused the connection: private, loopback, reserved… (the URL
    given cannot be used, however often it is tried)."""

    status = 422


@dataclass(frozen=True)
class Fetched:
    """A whole answer: the final URL after redirects, its status, headers and body
    (`unread`: the body was of a type not asked for, and left unread)."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    unread: bool = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself and connects only to an address the guard allows."""

    def __init__(self, allowed_loopback: tuple[str, ...]) -> None:
        self.allowed_loopback = allowed_loopback

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            address = allowed_address(host, port, self.allowed_loopback)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve the host name ({exc})") from None
        except AddressRefused as exc:
            logger.info("fetch refused host=%s port=%s reason=%s", host, port, exc)
            raise httpcore.ConnectError(REFUSED + str(exc)) from None
        return super().connect_tcp(address, port, timeout, local_address, socket_options)


def allowed_address(host: str, port: int, allowed_loopback: tuple[str, ...]) -> str:
    """The first address of `host` that the guard allows; AddressRefused with the reason
    when none is (OSError when the name does not resolve)."""
    reason = f"no address for {host}"
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        reason = refusal(sockaddr[0], port, host=host, allowed_loopback=allowed_loopback) \
            or ""
        if not reason:
            return sockaddr[0]
    raise AddressRefused(reason)


def check_address(url: str, settings: Settings) -> None:
    """AddressRefused when `url`'s host resolves to no address the guard allows: for URLs
    found (autodiscovery), checked when they are found rather than when first crawled. A
    name that does not resolve now passes: the crawl will say so."""
    parsed = parse_url(url)
    host = parsed.host.strip("[]")
    try:
        allowed_address(host, parsed.port or DEFAULT_PORTS[parsed.scheme],
                        tuple(settings.allowed_loopback))
    except OSError:
        return


def client(settings: Settings) -> httpx.Client:
    """An httpx client whose every connection passes the address guard; no proxies."""
    transport = httpx.HTTPTransport(trust_env=False, retries=0)
    # httpx takes no network backend argument; its pool does, so it is set there.
    transport._pool._network_backend = _GuardedBackend(tuple(settings.allowed_loopback))
    return httpx.Client(transport=transport, trust_env=False, follow_redirects=False,
                        timeout=settings.fetch_timeout,
                        headers={"User-Agent": USER_AGENT})


def fetch(http: httpx.Client, url: str, settings: Settings, *, method: str = "GET",
          data: dict[str, str] | None = None, accept: str = "*/*",
          max_bytes: int | None = None,
          credentials: tuple[str, str] | None = None,
          read_types: tuple[str, ...] | None = None) -> Fetched:
    """One request, redirects followed (and re-checked) by hand; FetchError in words.
    `credentials` (HTTP basic auth) go to the first URL's origin only, never to a host a
    redirect leads to. `read_types`: the content types (prefixes) whose body is read; of
    any other (an audio file, a PDF) only the headers are kept."""
    limit = max_bytes or settings.max_feed_bytes
    deadline = time.monotonic() + settings.fetch_timeout
    origin = None
    for _ in range(REDIRECT_MAX_TIMES + 1):
        url = check_url(url)  # normalised: httpx fetches what the guard checked
        here = _origin(url) if credentials else None
        origin = origin or here
        auth = httpx.BasicAuth(*credentials) if credentials and here == origin else None
        try:
            with http.stream(method, url, data=data, headers={"Accept": accept},
                             auth=auth) as answer:
                if answer.is_redirect and "location" in answer.headers:
                    url = urljoin(url, answer.headers["location"])
                    if answer.status_code in (301, 302, 303):
                        method, data = "GET", None
                    continue
                kind = answer.headers.get("content-type", "").lower()
                if read_types is not None and not kind.startswith(read_types):
                    return Fetched(str(answer.url), answer.status_code, answer.headers, b"",
                                   unread=True)
                body = _bounded_body(answer, limit, deadline, settings)
                return Fetched(str(answer.url), answer.status_code, answer.headers, body)
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {settings.fetch_timeout:g} s") from None
        except httpx.DecodingError:
            raise FetchError("the compressed body could not be decoded") from None
        except httpx.TransportError as exc:
            message = str(exc)
            if message.startswith(REFUSED):
                raise AddressRefused(message[len(REFUSED):]) from None
            raise FetchError(f"fetch failed: {message or type(exc).__name__}"[:500]) from None
    raise FetchError(f"more than {REDIRECT_MAX_TIMES} redirects")


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = parse_url(url)
    return parsed.scheme, parsed.host, parsed.port


def _bounded_body(answer: httpx.Response, limit: int, deadline: float,
                  settings: Settings) -> bytes:
    """The decoded body, refused past `limit` bytes (after decompression) or the deadline."""
    chunks, size = [], 0
    for chunk in answer.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchError(f"body larger than {human_bytes(limit)}")
        if time.monotonic() > deadline:
            raise FetchError(f"timed out after {settings.fetch_timeout:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def require_ok(fetched: Fetched) -> Fetched:
    """The answer if it is a 2xx, else FetchError with the status in words."""
    if not 200 <= fetched.status < 300:
        raise FetchError(http_status_text(fetched.status))
    return fetched
