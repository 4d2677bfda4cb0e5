"""HTML bodies translated with their structure intact.

The approach, chosen because it cannot lose markup whatever the model does: the HTML
is parsed (lxml), and only its text runs are translated — an element's text and each
child's tail — while every tag and attribute stays where it was. Paragraphs, lists,
links and emphasis therefore come back exactly; a link's text is translated as its own
run. Inside a run, URLs, e-mail addresses and numbers are cut out and kept verbatim,
and `code`, `pre`, `kbd`, `samp`, `script` and `style` are never translated. The price
is that a sentence crossing an inline tag is translated in pieces (models never see
placeholders they might drop or reorder), which is the better failure for a news site.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_KEEP = frozenset({"code", "pre", "kbd", "samp", "script", "style", "var"})
# URLs, e-mail addresses and numbers (with their separators, signs and units of %) are
# kept verbatim; everything between them is translated.
_PROTECTED = re.compile(
    r"(?:https?://|ftp://|www\.)\S+[^\s.,;:!?)\]»”'\"]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|[-+]?\d[\d.,:/]*\d%?|[-+]?\d%?"
)
_HAS_WORD = re.compile(r"\w", re.UNICODE)


class HtmlDocument:
    """An HTML fragment whose translatable runs are `texts()`; `render()` puts them back."""

    def __init__(self, markup: str) -> None:
        self._root = lxml.html.fragment_fromstring(markup or "", create_parent="div")
        self._slots: list[tuple[etree._Element, str, list[str | None]]] = []
        self._texts: list[str] = []
        self._collect(self._root, translate=True)

    def texts(self) -> list[str]:
        return list(self._texts)

    def render(self, translations: list[str]) -> str:
        if len(translations) != len(self._texts):
            raise ValueError(f"{len(translations)} translations for {len(self._texts)} runs")
        given = iter(translations)
        for element, attr, pieces in self._slots:
            setattr(element, attr, "".join(p if p is not None else next(given)
                                           for p in pieces))
        return (self._root.text or "") + "".join(
            etree.tostring(child, encoding="unicode", method="html") for child in self._root)

    def _collect(self, element: etree._Element, *, translate: bool) -> None:
        translate = translate and element.tag not in _KEEP
        if translate:
            self._slot(element, "text")
        for child in element:
            if isinstance(child.tag, str):
                self._collect(child, translate=translate)
            if translate:  # a child's tail is its parent's text
                self._slot(child, "tail")

    def _slot(self, element: etree._Element, attr: str) -> None:
        value = getattr(element, attr)
        if not value or not _HAS_WORD.search(value):
            return
        pieces = split_protected(value)
        self._texts += [p for kind, p in pieces if kind == "text"]
        self._slots.append((element, attr, [None if kind == "text" else p for kind, p in pieces]))


def split_protected(run: str) -> list[tuple[str, str]]:
    """("text", words to translate) and ("keep", verbatim) pieces that join back to `run`.

    Whitespace around translatable words is kept verbatim too, so spacing against the
    surrounding markup survives whatever the engine does with it.
    """
    pieces: list[tuple[str, str]] = []
    start = 0
    for match in _PROTECTED.finditer(run):
        pieces += _words(run[start:match.start()])
        pieces.append(("keep", match.group()))
        start = match.end()
    pieces += _words(run[start:])
    return pieces


def _words(chunk: str) -> list[tuple[str, str]]:
    core = chunk.strip()
    if not _HAS_WORD.search(core):
        return [("keep", chunk)] if chunk else []
    lead = chunk[:len(chunk) - len(chunk.lstrip())]
    trail = chunk[len(chunk.rstrip()):]
    return [p for p in (("keep", lead), ("text", core), ("keep", trail)) if p[1]]
