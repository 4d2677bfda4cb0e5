"""Language codes and names, one place for every stage: ISO 639-1 codes (as feeds, Argos
and the site's settings write them) ↔ the language detector's languages, and the names,
writing direction and scripts of each language from Babel's CLDR data, never hand-written
tables; the scripts a text's letters are in, from their Unicode names."""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter

from babel import Locale, UnknownLocaleError
from lingua import IsoCode639_1, Language

UI_LOCALE = "en"


@functools.cache
def lingua_language(code: str) -> Language | None:
    """lingua's Language for an ISO 639-1 code ("en", "pt-BR"), or None when it has none."""
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.split("-")[0].upper()))
    except (AttributeError, ValueError):
        return None


def iso_code(language: Language) -> str:
    """The ISO 639-1 code of one of lingua's languages: Language.SPANISH → "es"."""
    return language.iso_code_639_1.name.lower()


@functools.cache
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


@functools.cache
def _names(locale: str) -> dict[str, str]:
    found = _locale(locale)
    return dict(found.languages) if found else {}


def language_code(raw: str) -> str:
    """A language code as stored ("ES" → "es", "pt_br" → "pt-BR"); ValueError, saying so, when
    CLDR knows no such language."""
    code = raw.strip().replace("_", "-")
    head, _, rest = code.partition("-")
    subtags = [part.title() if len(part) == 4 else part.upper() for part in rest.split("-")]
    code = "-".join([head.lower(), *subtags]) if rest else head.lower()
    if not head.isalpha() or len(head) not in (2, 3) or _locale(code) is None:
        raise ValueError(f"“{raw[:20]}” is not a language code like en, es or pt-BR")
    return code


def language_name(code: str, locale: str = UI_LOCALE) -> str:
    """The language's name in `locale` ("es" → "Spanish"; "pt-BR" falls back to "pt"), or
    the code itself when CLDR does not know it. Several codes joined by commas (a chain
    of pivots, "en,es") name each: "English, Spanish"."""
    if "," in code:
        return ", ".join(language_name(part, locale) for part in code.split(","))
    names = _names(locale)
    return names.get(code.replace("-", "_"), names.get(code.split("-")[0], code))


def native_name(code: str) -> str:
    """The language's name in itself, for a language switcher: "español", "العربية"."""
    locale = _locale(code)
    return locale.get_display_name(code) if locale else code


def direction(code: str | None) -> str:
    """`rtl` for languages written right to left (ar, fa, he, ur…), else `ltr`."""
    locale = _locale(code) if code else None
    return locale.text_direction if locale else "ltr"


# ---- writing systems ---------------------------------------------------------------------

# The first word of a letter's Unicode name → its ISO 15924 script (what CLDR names scripts
# by). Letters of scripts not listed count as "Zyyy" (other).
_SCRIPT_NAMES = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "GREEK": "Grek", "ARABIC": "Arab", "HEBREW": "Hebr",
    "DEVANAGARI": "Deva", "BENGALI": "Beng", "GURMUKHI": "Guru", "GUJARATI": "Gujr",
    "ORIYA": "Orya", "TAMIL": "Taml", "TELUGU": "Telu", "KANNADA": "Knda", "MALAYALAM": "Mlym",
    "SINHALA": "Sinh", "THAI": "Thai", "LAO": "Laoo", "TIBETAN": "Tibt", "MYANMAR": "Mymr",
    "GEORGIAN": "Geor", "ARMENIAN": "Armn", "ETHIOPIC": "Ethi", "KHMER": "Khmr",
    "HANGUL": "Hang", "HIRAGANA": "Hira", "KATAKANA": "Kana", "CJK": "Hani", "SYRIAC": "Syrc",
    "THAANA": "Thaa", "MONGOLIAN": "Mong", "CHEROKEE": "Cher", "CANADIAN": "Cans",
}
# CLDR's scripts that stand for several: Japanese is Han and kana, Korean Hangul and Han
_COMPOSITE = {"Jpan": {"Hani", "Hira", "Kana"}, "Kore": {"Hang", "Hani"}, "Hans": {"Hani"},
              "Hant": {"Hani"}}
_UNSPACED = frozenset({"Hani", "Hira", "Kana", "Thai", "Laoo", "Khmr", "Mymr", "Tibt"})


@functools.cache
def _script_of(char: str) -> str | None:
    category = unicodedata.category(char)
    if category[0] not in "LM":
        return None
    name = unicodedata.name(char, "")
    return _SCRIPT_NAMES.get(name.split(" ", 1)[0], "Zyyy") if name else "Zyyy"


def scripts(text: str) -> Counter[str]:
    """How many letters (marks included: Devanagari vowel signs are letters here) of `text`
    each script has: "Latn", "Cyrl", "Hani", "Hira"…"""
    if text.isascii():
        return Counter({"Latn": sum(ch.isalpha() for ch in text)}) - Counter()
    found: Counter[str] = Counter()
    for char in text:
        script = _script_of(char)
        if script is not None:
            found[script] += 1
    return found


def unspaced(script: str) -> bool:
    """Whether the script writes words without spaces between them (Han, kana, Thai…)."""
    return script in _UNSPACED


@functools.cache
def written_in(code: str) -> frozenset[str]:
    """The scripts a language is written in, from CLDR (its likely script and every script
    a locale of it names): "sr" → Cyrillic and Latin, "ja" → Han, hiragana and katakana.
    Empty when CLDR does not know the language."""
    from babel.core import get_global
    from babel.localedata import locale_identifiers

    base = code.split("-")[0].lower()
    found: set[str] = set()
    likely = get_global("likely_subtags").get(base)
    names = [likely] if likely else []
    names += [i for i in locale_identifiers() if i.split("_")[0] == base]
    for name in names:
        for part in name.split("_")[1:]:
            if len(part) == 4 and part.istitle():
                found |= _COMPOSITE.get(part, {part})
    return frozenset(found)


@functools.cache
def primary_scripts(code: str) -> frozenset[str]:
    """The scripts of a language's likely (CLDR) script: "ja" → Han and kana, "sr" → Cyrl."""
    from babel.core import get_global

    likely = get_global("likely_subtags").get(code.split("-")[0].lower(), "")
    parts = [p for p in likely.split("_")[1:] if len(p) == 4 and p.istitle()]
    return frozenset(_COMPOSITE.get(parts[0], {parts[0]})) if parts else frozenset()
