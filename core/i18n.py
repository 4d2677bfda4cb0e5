"""UI strings in the reader's or editor's language, one mechanism for both web apps.

Each app keeps its own catalogs (`<app>/locales/<lang>/LC_MESSAGES/messages.po`, extracted
by `make messages`) in a `Catalog`, read once per process and compiled in memory. The
language a request shows is set per request (`use`) in one context variable, so the same
code answers people of eight languages at once, and work handed to the thread pool
(which copies the context) answers in it too. Strings defined when a module is imported
are marked with `N_()` and translated where they are shown. Numbers and dates are
formatted by Babel for the locale, language names are CLDR's in that language.
"""

from __future__ import annotations

import gettext
import io
import threading
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from babel.dates import format_date, format_skeleton, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from rabkor.core import languages

SOURCE = "en"  # the language the strings are written in
_language: ContextVar[str] = ContextVar("rabkor_ui_language", default=SOURCE)


def use(lang: str) -> None:
    """Show what this request shows in `lang`."""
    _language.set(lang)


def current() -> str:
    return _language.get()


class Catalog:
    """One app's messages: `gettext` and `ngettext` in the current language."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._compiled: dict[str, gettext.NullTranslations] = {}
        self._lock = threading.Lock()

    def translations(self, lang: str) -> gettext.NullTranslations:
        """The compiled catalog of `lang`; for English (or a language without a catalog)
        the strings as written."""
        found = self._compiled.get(lang)
        if found is None:
            with self._lock:
                found = self._compiled.setdefault(lang, self._compile(lang))
        return found

    def _compile(self, lang: str) -> gettext.NullTranslations:
        path = self.directory / lang / "LC_MESSAGES" / "messages.po"
        if lang == SOURCE or not path.exists():
            return gettext.NullTranslations()
        with path.open("rb") as po:
            messages = read_po(po, locale=lang)
        compiled = io.BytesIO()
        write_mo(compiled, messages)
        compiled.seek(0)
        return gettext.GNUTranslations(compiled)

    def gettext(self, message: str) -> str:
        return self.translations(_language.get()).gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form for `count` in the current language (Russian has three, Arabic six);
        `{count}` in it is the number as the locale writes it."""
        text = self.translations(_language.get()).ngettext(singular, plural, count)
        return text.replace("{count}", number(count))


def N_(message: str) -> str:
    """Marks a string to translate later, where it is shown."""
    return message


def number(value: int | float) -> str:
    return format_decimal(value, locale=_language.get())


def date_text(moment: datetime) -> str:
    """A date as the locale writes it: "2 Dec 2026", "2 dic 2026"."""
    return format_date(moment, "medium", locale=_language.get())


def moment_text(moment: datetime) -> str:
    """A date and time in UTC as the locale writes them: "Dec 2, 2026, 14:05 UTC"."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    locale = _language.get()
    day = format_skeleton("yMMMd", moment, tzinfo=UTC, locale=locale)
    time = format_skeleton("Hm", moment, tzinfo=UTC, locale=locale)
    return get_datetime_format("medium", locale).format(time, day) + " UTC"


def language_name(code: str) -> str:
    """The language's name in the current language: "Spanish", "español"."""
    return languages.language_name(code, _language.get())


def negotiate(accept_language: str, offered: tuple[str, ...]) -> str:
    """The language of `offered` the browser prefers most, by q-value; the first one
    otherwise."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in offered and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else offered[0]
