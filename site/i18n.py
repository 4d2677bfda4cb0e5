"""The reader's language: choosing it, naming languages, writing direction, UI strings.

Every UI string goes through `_()` (or `ngettext()` for a count): looked up in the
reader's language's catalog (site/locales/<lang>/LC_MESSAGES/messages.po, extracted by
`make messages`), read once per process and compiled in memory. The reader's language is
set per request (`use`, from the page's `{lang}`) in a context variable, so the same code
answers readers of eight languages at once. Strings defined when a module is imported
are marked with `N_()` and translated where they are shown. Numbers and dates are
formatted by Babel for the reader's locale, language names are CLDR's in that language.
"""

from __future__ import annotations

import functools
import gettext
import io
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from rabkor.core import languages
from rabkor.core.languages import direction, native_name

__all__ = ["N_", "_", "date_text", "direction", "kind_name", "kind_plural", "language_name",
           "native_name", "negotiate", "ngettext", "number", "use"]

LOCALES = Path(__file__).parent / "locales"
SOURCE = "en"  # the language the strings are written in
_reader: ContextVar[str] = ContextVar("rabkor_reader_language", default=SOURCE)


def use(lang: str) -> None:
    """Translate what this request shows into `lang`."""
    _reader.set(lang)


@functools.cache
def catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang`; for English (or a language without a catalog) the
    strings as written."""
    path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    if lang == SOURCE or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        messages = read_po(po, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    return catalog(_reader.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` in the reader's language (Russian has three, Arabic six);
    `{count}` in it is the number as the reader's locale writes it."""
    text = catalog(_reader.get()).ngettext(singular, plural, count)
    return text.replace("{count}", number(count))


def N_(message: str) -> str:
    """Marks a string to translate later, where it is shown."""
    return message


def number(value: int | float) -> str:
    return format_decimal(value, locale=_reader.get())


def date_text(moment: datetime) -> str:
    """A date as the reader's locale writes it: "2 Dec 2026", "2 dic 2026"."""
    return format_date(moment, "medium", locale=_reader.get())


def language_name(code: str | None) -> str:
    """The language's name in the reader's language, for sentences: "Spanish", "español"."""
    return languages.language_name(code, _reader.get()) if code else _("an unknown language")


def negotiate(accept_language: str, languages: tuple[str, ...]) -> str:
    """The site language the browser prefers most, by q-value; the first one otherwise."""
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
        if primary in languages and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else languages[0]


MEDIA_KINDS = {"article": N_("Article"), "audio": N_("Audio"), "video": N_("Video"),
               "lecture": N_("Lecture")}


KIND_PLURALS = {"article": N_("Articles"), "audio": N_("Audio"), "video": N_("Video"),
                "lecture": N_("Lectures")}


def kind_name(kind: str) -> str:
    return _(MEDIA_KINDS.get(str(kind), str(kind)))


def kind_plural(kind: str) -> str:
    """A listing's name: "Articles", "Lectures"."""
    return _(KIND_PLURALS.get(str(kind), str(kind)))
