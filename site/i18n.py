"""The reader's language: choosing it, naming languages, writing direction, UI strings.

UI strings go through `_()` so that Babel catalogs can be extracted later; until they
exist the interface is in English, and so are the language names inside sentences
("Machine-translated from Spanish"). The language switcher names each language in itself.
"""

from __future__ import annotations

from rabkor.core import languages
from rabkor.core.languages import direction, native_name

__all__ = ["_", "direction", "kind_name", "kind_plural", "language_name", "native_name",
           "negotiate"]


def _(message: str) -> str:
    """Marks a UI string for translation; returns it unchanged until catalogs exist."""
    return message


def language_name(code: str | None) -> str:
    """The language's name in the UI's language, for sentences: "Spanish"."""
    return languages.language_name(code) if code else _("an unknown language")


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


MEDIA_KINDS = {"article": _("Article"), "audio": _("Audio"), "video": _("Video"),
               "lecture": _("Lecture")}


KIND_PLURALS = {"article": _("Articles"), "audio": _("Audio"), "video": _("Video"),
                "lecture": _("Lectures")}


def kind_name(kind: str) -> str:
    return MEDIA_KINDS.get(str(kind), str(kind))


def kind_plural(kind: str) -> str:
    """A listing's name: "Articles", "Lectures"."""
    return KIND_PLURALS.get(str(kind), str(kind))
