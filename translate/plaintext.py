"""Sanitized HTML summaries as plain text with one paragraph per line, ready to translate."""

from __future__ import annotations

import html
import re

import nh3

_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr|pre)\s*>")


def to_plain_text(markup: str) -> str:
    """Drop every tag, keep the text; block ends become newlines (Argos paragraphs)."""
    text = html.unescape(nh3.clean(_BLOCK_END.sub("\n", markup), tags=set()))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
