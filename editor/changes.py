"""What a volunteer changed in the machine's text, word by word, for the review page: each
side cut into words and punctuation marks (each with the spaces after it), compared with
difflib, and every piece marked as kept or changed. A segment too long to compare cheaply
is shown unmarked (the cost of a comparison grows with the square of its words)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import NamedTuple

TOKENS = re.compile(r"\s+|\w+\s*|[^\w\s]\s*")
MAX_TOKENS = 4000


class Piece(NamedTuple):
    text: str
    changed: bool


def marked(machine: str, human: str) -> tuple[list[Piece], list[Piece]]:
    """The machine's pieces (changed: removed or replaced) and the volunteer's (changed:
    added or replacing)."""
    before, after = TOKENS.findall(machine), TOKENS.findall(human)
    if len(before) > MAX_TOKENS or len(after) > MAX_TOKENS:
        return [Piece(machine, False)], [Piece(human, False)]
    old: list[Piece] = []
    new: list[Piece] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            old.append(Piece("".join(before[i1:i2]), op != "equal"))
        if j2 > j1:
            new.append(Piece("".join(after[j1:j2]), op != "equal"))
    return _tidy(old), _tidy(new)


def _tidy(pieces: list[Piece]) -> list[Piece]:
    """The spaces after a change left out of its mark (a change of spaces alone is none)."""
    tidy: list[Piece] = []
    for piece in pieces:
        text = piece.text.rstrip() if piece.changed else piece.text
        if text:
            tidy.append(Piece(text, piece.changed))
        if len(text) < len(piece.text):
            tidy.append(Piece(piece.text[len(text):], False))
    return tidy


def compared(plan: dict, revision) -> dict[str, list[tuple[str, list[Piece], list[Piece]]]]:
    """Each field's rows for the review page: (source, machine pieces, volunteer pieces),
    segment by segment when the revision was written against the same cut of the source,
    else the whole field at once."""
    rows = {}
    for field, segs in plan.items():
        typed = (revision.segments or {}).get(field, [])
        if len(typed) == len(segs):
            rows[field] = [(seg.source, *marked(seg.machine, text))
                           for seg, text in zip(segs, typed, strict=True)]
        else:
            source = "\n".join(seg.source for seg in segs)
            machine = "\n".join(seg.machine for seg in segs)
            rows[field] = [(source, *marked(machine, getattr(revision, field)))]
    return rows
