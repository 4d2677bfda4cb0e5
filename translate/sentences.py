"""Sentence splitting without models: the fallback when a package bundles no splitter."""

from __future__ import annotations

import re
from pathlib import Path

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


def bundled_minisbd(package_path: Path) -> Path | None:
    models = sorted((package_path / "minisbd").glob("*.onnx"))
    return models[0] if models else None
