"""Placeholders for inline markup inside a text sent to an engine: ⟦1⟧…⟦/1⟧ around an inline
element's content, ⟦#2⟧ for an element kept whole (an image, inline code, a URL).

Mathematical white square brackets (U+27E6, U+27E7) are no letters, so Apertium passes
them through as blanks between words and translates the sentence around them as if they
were not there (checked on the installed pairs: tests/translate/test_markup.py); they
almost never occur in news text. An engine that drops, doubles or misorders them is
caught by `parse` and the block falls back to run-by-run translation (markup.py).
"""

from __future__ import annotations

import re

OPEN, CLOSE = "\u27e6", "\u27e7"
PLACEHOLDER = re.compile(f"{OPEN}[/#]?\\d+{CLOSE}")
TOKEN = re.compile(f"{OPEN}([/#]?)(\\d+){CLOSE}")  # kind ("", "/", "#") and id

Node = tuple[int, list["Node | str"]]  # (placeholder id, children); text pieces are str


def has_words(text: str) -> bool:
    """Whether a text has letters for an engine (placeholders, numbers, punctuation: no)."""
    return any(ch.isalpha() for ch in PLACEHOLDER.sub(" ", text))


def opening(n: int) -> str:
    return f"{OPEN}{n}{CLOSE}"


def closing(n: int) -> str:
    return f"{OPEN}/{n}{CLOSE}"


def single(n: int) -> str:
    return f"{OPEN}#{n}{CLOSE}"


def parse(text: str, paired: set[int], single: set[int]) -> list[Node | str] | None:
    """The tree of `text` when every id in `paired` opens and closes once, properly nested,
    and every id in `single` stands once (as ⟦#n⟧); None when the engine broke them."""
    root: list[Node | str] = []
    stack: list[tuple[int, list[Node | str]]] = [(-1, root)]
    seen: set[int] = set()
    start = 0
    for match in TOKEN.finditer(text):
        if match.start() > start:
            stack[-1][1].append(text[start:match.start()])
        start = match.end()
        kind, n = match.group(1), int(match.group(2))
        if kind == "/":
            if stack[-1][0] != n:
                return None
            stack.pop()
            continue
        if n in seen or n not in (single if kind == "#" else paired):
            return None
        seen.add(n)
        node: Node = (n, [])
        stack[-1][1].append(node)
        if kind == "":
            stack.append(node)
    if text[start:]:
        stack[-1][1].append(text[start:])
    if len(stack) != 1 or seen != paired | single:
        return None
    return root
