"""Highlighted snippets in the reader's language: the passage of the text shown to the
reader (its own text, or the translation the page shows) around the first words that
the query matched, as the index analyses them ("trabajadores" marks "trabajador").
Engine-neutral: the engine only says what a word becomes in its index."""

from __future__ import annotations

from rabkor.search.analysis import WORD, is_unspaced, prepare, query_words
from rabkor.search.engine import Engine
from rabkor.search.query import Node, Word, words_of

SCAN = 6000  # characters of a text looked through for matches
WIDTH = 240  # characters a snippet shows
BEFORE = 60  # of which before the first match

Snippet = list[tuple[str, bool]]  # (text, marked)


def snippet(engine: Engine, text: str, lang: str | None, tree: Node) -> Snippet:
    """`text`'s passage around the query's first match, the matched words marked; its
    start when nothing matches (the query matched another field or language)."""
    terms: set[str] = set()
    prefixes: list[str] = []
    literal: list[str] = []  # Han and kana pieces, found as they are
    for node in words_of(tree):
        for piece in query_words(node.text, lang):
            if is_unspaced(piece):
                literal.append(piece)
                continue
            analysed = engine.analyze(piece, lang)
            if isinstance(node, Word) and node.prefix:
                prefixes += analysed[:1]
            else:
                terms.update(analysed)
    text = text[:SCAN]
    spans: list[tuple[int, int]] = []
    seen: dict[str, bool] = {}  # words repeat: each distinct one is analysed once
    for match in WORD.finditer(text):
        if spans and match.start() > spans[0][0] + WIDTH:
            break  # past what the window around the first match can show
        word = match.group()
        if is_unspaced(word):
            for piece in literal:
                start = word.find(piece)
                while start >= 0:
                    spans.append((match.start() + start, match.start() + start + len(piece)))
                    start = word.find(piece, start + len(piece))
            continue
        if word not in seen:
            analysed = engine.analyze(prepare(word, lang), lang)
            seen[word] = bool(analysed) and (analysed[0] in terms or any(
                analysed[0].startswith(p) for p in prefixes))
        if seen[word]:
            spans.append(match.span())
    return _window(text, sorted(spans))


def _window(text: str, spans: list[tuple[int, int]]) -> Snippet:
    start = max(spans[0][0] - BEFORE, 0) if spans else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(start + WIDTH, len(text))
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    pieces: Snippet = [("… ", False)] if start else []
    position = start
    for a, b in spans:
        if a < position or b > end:
            continue
        if a > position:
            pieces.append((text[position:a], False))
        pieces.append((text[a:b], True))
        position = b
    if position < end:
        pieces.append((text[position:end], False))
    if end < len(text):
        pieces.append((" …", False))
    return pieces
