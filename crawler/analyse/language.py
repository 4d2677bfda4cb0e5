"""Which language an item is written in, from its own words, with the feed's word as a prior.

lingua compares the text against a set of candidate languages: the `COMMON` ones, which
cover nearly all news written online, plus the language the feed declares when lingua
knows it. Its cost grows with the candidates — all 75 cost about three times as much as
these ~30 (measured: 2.4 against 0.8 ms an item at 300 characters on a busy 2-core
machine), and the crawl identifies every new item. The detector is built once per
process and candidate set in low-accuracy mode (n-grams up to trigrams, against 1.3 GB
and six seconds for high accuracy), and it reads only the first `MAX_CHARS` characters,
which is plenty to tell languages apart (half the cost again). Models load on first use,
for the candidates written in the text's script: a crawl of Latin-script feeds holds
about 28 MB of them per process, one that meets every script about 45 MB (more when a
text sends it to all languages). A text that no candidate
fits well (Thai, say, undeclared) is compared against all languages. A language the feed
declares is taken when lingua finds it comparably likely; when nothing is likely enough
the answer is "und" (undetermined), never a guess.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from rabkor.core.languages import iso_code, lingua_language
from rabkor.core.text.html import plain_text
from rabkor.crawler.draft import DraftItem

UNDETERMINED = "und"
MAX_CHARS = 160
# the ~30 languages most written on the web and in news, site languages included
COMMON = ("en", "es", "de", "fr", "pt", "ru", "uk", "ar", "ur", "zh", "ja", "ko", "tr", "pl",
          "it", "nl", "fa", "hi", "bn", "id", "vi", "sv", "da", "nb", "fi", "cs", "ro",
          "hu", "el", "he", "bg", "sr", "hr")
MIN_LETTERS = 12  # below this even the best detector is guessing
MIN_CONFIDENCE = 0.5  # the top language must be at least this likely to be named alone
PRIOR_RATIO = 0.2  # a declared language this close to the top one is taken
OVERRULE = 0.9  # only a language this certain overrules the declared one

_letters = re.compile(r"[^\W\d_]", re.UNICODE)
# One Han, kana or Hangul character carries about as much as a short word elsewhere.
_cjk = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Identified:
    """A language code (ISO 639-1, or "und") and how sure lingua was (None: not measured)."""

    language: str
    confidence: float | None


@functools.lru_cache(maxsize=8)
def _detector(extra: Language | None = None) -> LanguageDetector:
    """The detector over `COMMON`, plus `extra` (a declared language outside it)."""
    languages = {lang for code in COMMON if (lang := lingua_language(code)) is not None}
    if extra is not None:
        languages.add(extra)
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


@functools.cache
def _all_languages() -> LanguageDetector:
    """Every language lingua knows: only for texts that none of the candidates fits."""
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def identify(text: str, declared: str | None = None) -> Identified:
    """The language of `text`; `declared` (the feed's or source's) decides close calls."""
    sample = text[:MAX_CHARS]
    if len(_letters.findall(sample)) + 2 * len(_cjk.findall(sample)) < MIN_LETTERS:
        return Identified(declared or UNDETERMINED, None)
    prior = lingua_language(declared) if declared else None
    common = declared in COMMON
    values = _detector(None if common else prior).compute_language_confidence_values(sample)
    if values[0].value < MIN_CONFIDENCE:  # none of the candidates fits: ask all languages
        values = _all_languages().compute_language_confidence_values(sample)
    top = values[0]
    if declared and prior is None and top.value < OVERRULE:
        # a language lingua does not know: the declaration stands unless it is plainly wrong
        return Identified(declared, None)
    if prior is not None:
        chance = next((v.value for v in values if v.language == prior), 0.0)
        if chance >= top.value * PRIOR_RATIO or top.value < OVERRULE:
            return Identified(declared, round(chance, 4))  # type: ignore[arg-type]
    if top.value >= MIN_CONFIDENCE:
        return Identified(iso_code(top.language), round(top.value, 4))
    return Identified(UNDETERMINED, round(top.value, 4))


def identify_draft(draft: DraftItem, text: str | None = None) -> Identified:
    """An item's language from its title and the start of its text (`text`: its plain
    text when the caller has it already)."""
    if text is None:
        text = plain_text(draft.content or draft.summary, MAX_CHARS)
    return identify(f"{draft.title}. {text[:MAX_CHARS]}", draft.language)
