"""Is a text already in the target language? Then it is not translated.

Items mix languages: a German item may carry an English title, a Spanish one an
English quotation as its summary. Translating such a text "from German" into English
garbles it. lingua decides per text, choosing only among the candidate languages (the
site's and the item's), and only a confident answer counts: a short or ambiguous
text is translated as usual, which is the safe side.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from lingua import LanguageDetector, LanguageDetectorBuilder

from rabkor.core.languages import lingua_language, scripts, unspaced

MIN_LETTERS = 15  # below this lingua is guessing
# The target must be the likeliest candidate and this likely: on Tatoeba sentences of 20+
# characters (en, es, de, fr) that recognises 85-98% of each language, mistaking none.
MIN_CONFIDENCE = 0.7
MAX_CHARS = 400  # enough to tell languages apart

UNSPACED_WEIGHT = 3  # a Han or Thai letter carries about as much as a short word elsewhere


def _letters(text: str) -> int:
    """Letters, marks included (Devanagari vowel signs), a Han or Thai letter counting 3."""
    return sum(n * (UNSPACED_WEIGHT if unspaced(s) else 1) for s, n in scripts(text).items())


def already_in(text: str, lang: str, candidates: Iterable[str]) -> bool:
    """True when `text` is confidently written in `lang`, among `candidates` (and `lang`)."""
    sample = text[:MAX_CHARS]
    if _letters(sample) < MIN_LETTERS:
        return False
    target = lingua_language(lang)
    detector = _detector(frozenset({lang, *candidates}))
    if target is None or detector is None:
        return False
    best = detector.compute_language_confidence_values(sample)[0]
    return best.language == target and best.value >= MIN_CONFIDENCE


@functools.cache
def _detector(codes: frozenset[str]) -> LanguageDetector | None:
    """One detector per candidate set (a site has one or two); None below two languages."""
    languages = {lang for lang in map(lingua_language, codes) if lang is not None}
    if len(languages) < 2:
        return None
    return LanguageDetectorBuilder.from_languages(*languages).build()
