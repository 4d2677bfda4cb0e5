"""Plain text (one paragraph a line, as `rabkor.core.text.html.paragraphs` makes it) as a
document for the translation jobs: its paragraphs go out, their translations come back."""

from __future__ import annotations


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
