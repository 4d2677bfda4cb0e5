"""Which language an item is written in, from its own words, with the feed's word as a prior.

The script comes first: the letters' Unicode scripts (marks included, so Devanagari's
vowel signs count) name the text's main script, kana beside Han making it Japanese and
Hangul Korean. A script only one language of lingua's is written in decides alone
(Greek, Hebrew, Thai, Georgian, Armenian, Korean, Japanese, Bengali, Tamil…), and a
declared language not written in the text's script is ignored (Arabic letters in a feed
declared `en`), with CLDR (Babel) saying which scripts each language is written in.
Elsewhere lingua compares the text against the `COMMON` languages of that script — ~30
languages cover nearly all news written online — plus the declared one; its cost grows
with the candidates (measured: 2.4 against 0.8 ms an item at 300 characters for all 75
against ~30 on a busy 2-core machine), and the crawl identifies every new item. The
detector is built once per process and candidate set in low-accuracy mode (n-grams up to
trigrams, against 1.3 GB and six seconds for high accuracy), and it reads only the first
`MAX_CHARS` characters. Models load on first use, for the candidates of the text's
script. A text that no common candidate fits well is compared against all lingua's
languages of its script. The declared language is a prior, not a veto: it is taken
unless another language is `PRIOR_WEIGHT` times likelier (`SHORT_PRIOR_WEIGHT` on short
text; tuned on Tatoeba, figures in bench/README.md). Undeclared short text in a script
many languages share (under `MIN_LETTERS` letters; two where three languages or fewer
remain, a Han letter counting three) is "und" (undetermined), never a guess. Web and
mail addresses are no evidence, nor is a word repeated.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from rabkor.core.languages import (
    iso_code,
    lingua_language,
    primary_scripts,
    scripts,
    unspaced,
    written_in,
)
from rabkor.core.text.html import plain_text
from rabkor.crawler.draft import DraftItem

UNDETERMINED = "und"
MAX_CHARS = 160
# the ~30 languages most written on the web and in news, site languages included
COMMON = ("en", "es", "de", "fr", "pt", "ru", "uk", "ar", "ur", "zh", "ja", "ko", "tr", "pl",
          "it", "nl", "fa", "hi", "bn", "id", "vi", "sv", "da", "nb", "fi", "cs", "ro",
          "hu", "el", "he", "bg", "sr", "hr")
MIN_LETTERS = 12  # in a script many languages share, below this even the best is guessing
MIN_LETTERS_FEW = 2  # where the script leaves three languages or fewer (hi/mr, zh/ja)
UNSPACED_WEIGHT = 3  # a Han or Thai letter carries about as much as a short word elsewhere
MIN_CONFIDENCE = 0.5  # the top language must be at least this likely to be named alone
PRIOR_WEIGHT = 10  # the declared language is taken unless another is this many times likelier
SHORT_PRIOR_WEIGHT = 50  # … on text under MIN_LETTERS, where lingua is surer than it is right
OVERRULE = 0.9  # only a language this certain overrules a declared one lingua does not know
SECOND_SCRIPT = 0.1  # kana or Hangul this share of the letters make the text ja or ko


@dataclass(frozen=True)
class Identified:
    """A language code (ISO 639-1, or "und") and how sure lingua was (None: not measured)."""

    language: str
    confidence: float | None


@functools.cache
def _all_lingua() -> tuple[Language, ...]:
    return tuple(Language.all())


@functools.cache
def candidates(script: str) -> frozenset[Language]:
    """lingua's languages written in `script` (their CLDR likely script): "Grek" → Greek
    alone, "Deva" → Hindi and Marathi, "Hani" → Chinese and Japanese (Korean's Han is
    never a text's main script today)."""
    found = frozenset(lang for lang in _all_lingua()
                      if script in primary_scripts(iso_code(lang)))
    if script == "Hani":
        found -= {Language.KOREAN}
    return found


@functools.lru_cache(maxsize=32)
def _detector(languages: frozenset[Language]) -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def main_script(counts) -> str:
    """The script a text is written in: kana make it Japanese, Hangul Korean, even beside
    Han; otherwise the script with the most letters, a Han or Thai letter counting as
    UNSPACED_WEIGHT ("Tom 在哪里" is Chinese)."""
    total = sum(counts.values())
    for script in ("Hira", "Kana", "Hang"):
        if counts.get(script, 0) >= SECOND_SCRIPT * total:
            return "Kana" if script == "Hira" else script  # ja: Han, hiragana, katakana
    return max(counts, key=lambda s: counts[s] * (UNSPACED_WEIGHT if unspaced(s) else 1))


_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)


def _evidence(text: str) -> str:
    """The words that tell a language: no web or mail addresses (a YouTube link's query
    string made an English description Danish), each word once (a title repeated twenty
    times is no likelier Bulgarian than once), the first MAX_CHARS characters."""
    words = _ADDRESS.sub(" ", text[:4 * MAX_CHARS]).split()
    return " ".join(dict.fromkeys(words))[:MAX_CHARS]


def identify(text: str, declared: str | None = None) -> Identified:
    """The language of `text`; `declared` (the feed's or source's) is a prior: it decides
    close calls, never against the script (Arabic letters are not English) nor against a
    language lingua finds PRIOR_WEIGHT times likelier."""
    sample = _evidence(text)
    counts = scripts(sample)
    if not counts:
        return Identified(declared or UNDETERMINED, None)
    script = main_script(counts)
    if declared and written_in(declared) and script not in written_in(declared):
        declared = None  # a script the declared language is not written in: ignored
    prior = lingua_language(declared) if declared else None
    fits = candidates(script)
    if not fits:  # a script lingua knows no language of (Ethiopic, Tibetan…)
        return Identified(declared or UNDETERMINED, None)
    if len(fits) == 1:
        if declared and prior is None:  # Yiddish declared, in Hebrew letters: believed
            return Identified(declared, None)
        share = counts[script] / sum(counts.values())
        return Identified(iso_code(next(iter(fits))), round(share, 4))
    letters = counts[script] * (UNSPACED_WEIGHT if unspaced(script) else 1)
    short = letters < (MIN_LETTERS if len(fits) > 3 else MIN_LETTERS_FEW)
    if short and prior is None:
        return Identified(declared or UNDETERMINED, None)
    common = {lang for code in COMMON if (lang := lingua_language(code)) in fits}
    extra = {prior} if prior in fits else set()
    values = _detector(frozenset(common | extra or fits)).compute_language_confidence_values(
        sample)
    if values[0].value < MIN_CONFIDENCE:  # none of the common ones fits: ask all of them
        values = _detector(fits).compute_language_confidence_values(sample)
    top = values[0]
    if declared and prior is None:
        # a language lingua does not know: the declaration stands unless it is plainly wrong
        return Identified(declared, None) if top.value < OVERRULE else Identified(
            iso_code(top.language), round(top.value, 4))
    if prior is not None:
        chance = next((v.value for v in values if v.language == prior), 0.0)
        if chance * (SHORT_PRIOR_WEIGHT if short else PRIOR_WEIGHT) >= top.value:
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
