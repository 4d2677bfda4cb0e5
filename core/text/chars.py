"""Characters that no title, name or note needs: controls and bidirectional overrides.

C0 controls (but tab and newline where text may have lines), DEL, C1 controls, NUL and
the bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069) are
removed where text from outside enters the store: a U+202E in a title reverses what
follows it and can disguise a link, an escape character reaches a terminal. What scripts
need stays: the zero-width joiner and non-joiner (Persian, Indic scripts, emoji), and the
directional marks (LRM, RLM, ALM), which change no character's order but their own.
"""

from __future__ import annotations

import re

_CONTROLS = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_DROP = [*_CONTROLS, *_BIDI, 0xFEFF]  # a byte-order mark inside text too
_DROP_KEEP_LINES = [c for c in _DROP if c not in (0x09, 0x0A)]


def _class(codes: list[int]) -> re.Pattern[str]:
    """The characters as one class of ranges, which the regex engine tests in C."""
    ranges, start = [], codes[0]
    for prev, code in zip(codes, [*codes[1:], None], strict=True):
        if code != prev + 1:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start
                                                     else ""))
            start = code
    return re.compile("[" + "".join(ranges) + "]+")


# ASCII text goes through str.translate's fast path; other text through the class, as
# translate looks each non-ASCII character up in the table (40 µs for 500 Cyrillic letters
# where the class takes 6)
_TABLES = {False: dict.fromkeys(_DROP), True: dict.fromkeys(_DROP_KEEP_LINES)}
_CLASSES = {False: _class(sorted(_DROP)), True: _class(sorted(_DROP_KEEP_LINES))}


def printable(text: str, *, lines: bool = False) -> str:
    """`text` without controls and bidirectional overrides; `lines`: tabs and newlines
    stay (a note, a volunteer's translation), and a carriage return becomes a newline."""
    if lines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_TABLES[lines]) if text.isascii() else _CLASSES[lines].sub("", text)
