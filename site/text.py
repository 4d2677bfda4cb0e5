"""Turning stored HTML into plain text, for search documents, listings and feeds."""

from __future__ import annotations

import html
import re

import nh3

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def plain_text(markup: str | None) -> str:
    """The readable text of an HTML fragment, with tags turned into spaces.

    nh3 first drops scripts and styles with their content, so whatever is left between
    tags is text meant for readers; a tag becomes a space so paragraphs do not run together.
    """
    if not markup:
        return ""
    cleaned = _TAG.sub(" ", nh3.clean(markup))
    return _SPACE.sub(" ", html.unescape(cleaned)).strip()
