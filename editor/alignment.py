"""Source and machine text cut into segments a volunteer translates one at a time.

The source is split into paragraphs (one per line, as the translation jobs send them)
and each paragraph into sentences with `split_sentences`. A machine translation seldom
keeps every sentence boundary, so segments are aligned as closely as the counts allow:

1. same number of paragraphs: paragraph by paragraph, each one sentence by sentence when
   both sides have the same number of sentences, else the paragraph as one segment;
2. different paragraphs but the same number of sentences overall: sentence by sentence;
3. otherwise the whole text is one segment, beside the whole machine output.

Without a machine translation every source sentence is its own segment. The volunteer's
segments are joined back with a space inside a paragraph and a newline between them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rabkor.core.text.html import paragraphs
from rabkor.core.text.sentences import split_sentences
from rabkor.editor.errors import TextTooLong
from rabkor.editor.i18n import _

# Bounds on what a volunteer may send: generous for any article, small for a database.
MAX_SEGMENT = 20_000
MAX_FIELD = 200_000


@dataclass(frozen=True)
class Segment:
    source: str
    machine: str
    paragraph: int  # which paragraph of the joined translation the segment belongs to
    sentence: bool  # the source side is one sentence (worth keeping in the memory)


def source_text(field: str, value: str) -> str:
    """The item's field as plain text, one paragraph per line (titles are plain already)."""
    return " ".join(value.split()) if field == "title" else paragraphs(value)


def segments(source: str, machine: str) -> list[Segment]:
    """`source` and `machine` cut into aligned segments (see the module's rules)."""
    src_pars, mt_pars = _paragraphs(source), _paragraphs(machine)
    if not mt_pars:
        return [Segment(s, "", i, True) for i, p in enumerate(src_pars)
                for s in split_sentences(p)]
    if len(src_pars) == len(mt_pars):
        return [seg for i, (s, m) in enumerate(zip(src_pars, mt_pars, strict=True))
                for seg in _paragraph_segments(i, s, m)]
    src_sents = [(i, s) for i, p in enumerate(src_pars) for s in split_sentences(p)]
    mt_sents = [s for p in mt_pars for s in split_sentences(p)]
    if len(src_sents) == len(mt_sents):
        return [Segment(s, m, i, True) for (i, s), m in zip(src_sents, mt_sents, strict=True)]
    return [Segment("\n".join(src_pars), "\n".join(mt_pars), 0, len(src_sents) == 1)]


def join(layout: Sequence[Segment], texts: Sequence[str]) -> str:
    """The volunteer's segments as one text: spaces within a paragraph, newlines between."""
    if len(texts) != len(layout):
        raise ValueError(f"{len(texts)} segments sent for {len(layout)} source segments")
    by_paragraph: dict[int, list[str]] = {}
    for segment, text in zip(layout, texts, strict=True):
        clean = clean_segment(text)
        if clean:
            by_paragraph.setdefault(segment.paragraph, []).append(clean)
    joined = "\n".join(" ".join(parts) for _paragraph, parts in sorted(by_paragraph.items()))
    if len(joined) > MAX_FIELD:
        raise TextTooLong(_("the translation is {count} characters long; at most {limit} are "
                            "accepted").format(count=len(joined), limit=MAX_FIELD))
    return joined


def clean_segment(text: str) -> str:
    """One segment as typed: line endings unified, control characters dropped, bounded."""
    if len(text) > MAX_SEGMENT:
        raise TextTooLong(_("a segment is {count} characters long; at most {limit} are "
                            "accepted").format(count=len(text), limit=MAX_SEGMENT))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Control characters only (category Cc): joiners that Persian or Hindi need stay.
    kept = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    return "\n".join(" ".join(line.split()) for line in kept.strip().split("\n"))


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _paragraph_segments(index: int, source: str, machine: str) -> list[Segment]:
    src, mt = split_sentences(source), split_sentences(machine)
    if len(src) == len(mt):
        return [Segment(s, m, index, True) for s, m in zip(src, mt, strict=True)]
    return [Segment(source, machine, index, len(src) == 1)]
