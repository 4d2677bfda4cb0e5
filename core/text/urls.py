"""Web addresses from outside: only absolute http(s) URLs pass, whatever path brought them."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

MAX_URL = 2048
WEB_SCHEMES = {"http", "https"}


def safe_url(value: str | None) -> str | None:
    """An absolute http(s) URL without its fragment, or None: other schemes never pass."""
    if not value:
        return None
    value = value.strip()
    if len(value) > MAX_URL:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))


def is_web_url(value: str | None) -> bool:
    """Whether a link may be shown: an absolute http(s) URL (never `javascript:` and the like)."""
    return safe_url(value) is not None
