"""How feeds are fetched: bounded Scrapy settings, and failures told in words a person can act on.

Scrapy's defaults suit a scraper, not a service facing hostile servers: it fetches
`file://`, `data:`, `ftp://` and `s3://`, accepts 1 GiB bodies and 180 s downloads, honours
proxy environment variables (which would bypass the address guard) and retries; and it
logs a host that cannot be reached for its robots.txt as an ERROR with a traceback.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.http import Request
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError, ConnectionLost
from twisted.python.failure import Failure

from rabkor.core.settings import Settings
from rabkor.crawler.fetch.limits import (
    FEED_ACCEPT,
    REDIRECT_MAX_TIMES,
    USER_AGENT,
    http_status_text,
    human_bytes,
)
from rabkor.crawler.fetch.resolver import ALLOWED_LOOPBACK_SETTING

logger = logging.getLogger(__name__)

# waiting on slow servers costs nothing, parsing is the real bound; 1,000 feeds that each
# answer in 200 ms need 128 in flight to take under 2 s (a 304 re-crawl's whole budget)
CONCURRENT_REQUESTS = 128
CONCURRENT_REQUESTS_PER_DOMAIN = 4  # never more than this at once on one host
ROBOTS_REFUSAL = "Forbidden by robots.txt"
DISABLED = None
# a host that cannot be reached: its feed fails next with the same cause, told in words
UNREACHABLE = (CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError,
               DownloadFailedError, DownloadCancelledError, ResponseDataLossError,
               ConnectError, ConnectionLost)


def scrapy_settings(settings: Settings, log_level: str = "WARNING") -> dict[str, Any]:
    """Scrapy settings for a crawl under `settings`: guarded, bounded, quiet."""
    return {
        "TWISTED_DNS_RESOLVER": "rabkor.crawler.fetch.resolver.GuardedResolver",
        "DOWNLOADER": "rabkor.crawler.fetch.downloader.PerHostDownloader",
        ALLOWED_LOOPBACK_SETTING: list(settings.allowed_loopback),
        "DOWNLOAD_HANDLERS": {"file": DISABLED, "data": DISABLED, "ftp": DISABLED,
                              "s3": DISABLED},
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": DISABLED,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": DISABLED,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": DISABLED,
            "rabkor.crawler.fetch.bounds.QuietRobotsTxtMiddleware": 100,  # Scrapy's own place
        },
        "DOWNLOAD_MAXSIZE": settings.max_feed_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_TIMEOUT": settings.fetch_timeout,
        "REDIRECT_MAX_TIMES": REDIRECT_MAX_TIMES,
        "RETRY_ENABLED": False,  # the next crawl retries, after a back-off
        "COOKIES_ENABLED": False,
        "ROBOTSTXT_OBEY": True,  # robots.txt is fetched once per host and crawl, guarded too
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # Scrapy 2.19's code-running HTTP server, on by default
        "USER_AGENT": USER_AGENT,
        "DEFAULT_REQUEST_HEADERS": {"Accept": FEED_ACCEPT},
        "CONCURRENT_REQUESTS": CONCURRENT_REQUESTS,
        "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENT_REQUESTS_PER_DOMAIN,
        "ITEM_PIPELINES": {"rabkor.crawler.store.pipeline.StorePipeline": 300},
        "LOG_LEVEL": log_level,
        "RABKOR_SETTINGS": settings,
    }


class QuietRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, without its ERROR traceback for an unreachable host.

    Scrapy logs every failed robots.txt download at ERROR with a traceback, then fetches
    as if robots.txt allowed everything; the feed's own fetch then fails with a readable
    error. An unreachable host is one INFO line here: turned into IgnoreRequest, which
    Scrapy's middleware (2.19, no hook for its log) takes the same way, without logging.
    """

    def process_exception(self, request: Request, exception: Exception) -> None:
        if request.meta.get("dont_obey_robotstxt") and isinstance(exception, UNREACHABLE) \
                and urlsplit(request.url).path == "/robots.txt":
            reason = describe_failure(Failure(exception),
                                      self.crawler.settings["RABKOR_SETTINGS"], None)
            logger.info("robots.txt unreachable url=%s error=%s", request.url, reason)
            raise IgnoreRequest(f"robots.txt unreachable: {reason}")


def describe_failure(failure: Failure, settings: Settings, refused: str | None) -> str:
    """A failed fetch in words: "HTTP 404 Not Found", "timed out after 5 s"…"""
    exc = failure.value
    if isinstance(exc, HttpError):
        location = exc.response.headers.get(b"Location")
        if location:  # a redirect Scrapy did not follow: not http(s), or no target
            return (f"{http_status_text(exc.response.status)}: redirect to "
                    f"{location.decode('latin-1')[:200]} not followed")
        return http_status_text(exc.response.status)
    if isinstance(exc, CannotResolveHostError):
        return refused or f"cannot resolve the host name ({exc})"
    if isinstance(exc, DownloadTimeoutError):
        return f"timed out after {settings.fetch_timeout:g} s"
    if isinstance(exc, DownloadCancelledError):
        return f"body larger than {human_bytes(settings.max_feed_bytes)}"
    if isinstance(exc, DownloadConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ResponseDataLossError):
        return "the connection closed before the whole body arrived"
    if isinstance(exc, UnsupportedURLSchemeError):
        return "only http and https URLs are fetched"
    if isinstance(exc, IgnoreRequest):
        return _dropped(str(exc), settings)
    return f"fetch failed: {type(exc).__name__}: {exc}"[:500]


def _dropped(reason: str, settings: Settings) -> str:
    """Scrapy's reasons for dropping a request, as the source's error."""
    if reason == ROBOTS_REFUSAL:
        return "disallowed by robots.txt"
    if reason == "max redirections reached":
        return f"more than {REDIRECT_MAX_TIMES} redirects"
    if "during decompression" in reason:
        return f"body larger than {human_bytes(settings.max_feed_bytes)} after decompression"
    return f"request dropped: {reason}"[:500]


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""
