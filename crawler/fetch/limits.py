"""What every fetch shares, through Scrapy or not: who we say we are, what we accept, how
many redirects we follow, and sizes and statuses told in words. Scrapy-free, so that the
direct fetcher (the command line, WebSub requests) loads no crawl machinery."""

from __future__ import annotations

from http import HTTPStatus

USER_AGENT = "Rabkor/0.1 feed crawler"
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
REDIRECT_MAX_TIMES = 5


def http_status_text(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def human_bytes(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"
