"""Language codes and names, one place for every stage: ISO 639-1 codes (as feeds, Argos
and the site's settings write them) ↔ the language detector's languages, and the names
and writing direction of each language from Babel's CLDR data, never hand-written tables."""

from __future__ import annotations

import functools

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
