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


class PlainDocument:
    """Plain text whose non-empty lines (paragraphs) are `texts()`; `render()` rejoins them."""

    def __init__(self, text: str) -> None:
        self._lines = text.split("\n")
        self._texts = [line.strip() for line in self._lines if line.strip()]

    def texts(self) -> list[str]:
        return list(self._texts)

    def render(self, translations: list[str]) -> str:
        if len(translations) != len(self._texts):
            raise ValueError(f"{len(translations)} translations for {len(self._texts)} lines")
        given = iter(translations)
        return "\n".join(next(given) if line.strip() else line for line in self._lines)
