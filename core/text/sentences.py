"""Sentence splitting without models: for post-editing segments, and for translation when a
package bundles no splitter of its own."""

from __future__ import annotations

import re

MAX_SENTENCE_CHARS = 400  # longer pieces are cut at a space before they reach a model

# A sentence ends at . ! ? … before a space (or the end), or at a full-width or Arabic or
# Devanagari stop anywhere; closing quotes and brackets stay with their sentence.
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)|[。！？؟।]+[\"'”’»)\]]*")


def split_sentences(text: str) -> list[str]:
    """Split after sentence-final punctuation; good enough for titles and summaries."""
    pieces, start = [], 0
    for match in _END.finditer(text):
        pieces.append(text[start:match.end()])
        start = match.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def bounded_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """`split_sentences`, with run-on "sentences" cut at spaces so none exceeds `max_chars`.

    Models truncate long inputs silently; a bounded piece is translated whole.
    """
    out = []
    for sentence in split_sentences(text):
        while len(sentence) > max_chars:
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            out.append(sentence)
    return out
