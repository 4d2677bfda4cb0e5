"""The crawler's bounds on what it stores from outside: each field cut to a size that any
real feed fits, so one hostile entry costs what its bound allows and no more. The
sanitizing itself is the shared toolkit's (`rabkor.core.text`), the same policy the web
pages apply when they show what was stored."""

from __future__ import annotations

from rabkor.core.text.html import plain_text

MAX_TITLE = 1000
MAX_SUMMARY = 20_000
MAX_CONTENT = 500_000
MAX_SHORT = 500
MAX_ERROR = 500  # a stored error message (a page's, a sitemap's)


def short_text(value: str | None, limit: int = MAX_SHORT) -> str | None:
    """A bounded plain-text field (author, MIME type) or None when empty."""
    return plain_text(value, limit) or None
