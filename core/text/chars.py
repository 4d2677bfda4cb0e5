"""Characters that no title, name or note needs: controls and bidirectional overrides.

C0 controls (but tab and newline where text may have lines), DEL, C1 controls, NUL and
the bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069) are
removed where text from outside enters the store: a U+202E in a title reverses what
follows it and can disguise a link, an escape character reaches a terminal. What scripts
need stays: the zero-width joiner and non-joiner (Persian, Indic scripts, emoji), and the
directional marks (LRM, RLM, ALM), which change no character's order but their own.
"""

from __future__ import annotations

_CONTROLS = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_DROP = dict.fromkeys([*_CONTROLS, *_BIDI, 0xFEFF])  # a byte-order mark inside text too
_DROP_KEEP_LINES = {k: v for k, v in _DROP.items() if k not in (0x09, 0x0A)}


def printable(text: str, *, lines: bool = False) -> str:
    """`text` without controls and bidirectional overrides; `lines`: tabs and newlines
    stay (a note, a volunteer's translation), and a carriage return becomes a newline."""
    if lines:
        return text.replace("\r\n", "\n").replace("\r", "\n").translate(_DROP_KEEP_LINES)
    return text.translate(_DROP)
