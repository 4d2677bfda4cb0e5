"""The reader's language: choosing it, naming languages, writing direction, UI strings.

Every UI string goes through `_()` (or `ngettext()` for a count), looked up in the site's
catalogs (site/locales/<lang>/LC_MESSAGES/messages.po, extracted by `make messages`) by
the mechanism both web apps share (rabkor.core.i18n): the reader's language is set per
request (`use`, from the page's `{lang}`), strings defined when a module is imported are
marked with `N_()` and translated where they are shown, numbers and dates are Babel's.
"""

from __future__ import annotations

from pathlib import Path

from rabkor.core import i18n
from rabkor.core.i18n import N_, date_text, negotiate, number, use
from rabkor.core.languages import direction, native_name

__all__ = ["N_", "_", "date_text", "direction", "kind_name", "kind_plural", "language_name",
           "native_name", "negotiate", "ngettext", "number", "use"]

LOCALES = Path(__file__).parent / "locales"
CATALOG = i18n.Catalog(LOCALES)
_ = CATALOG.gettext
ngettext = CATALOG.ngettext


def language_name(code: str | None) -> str:
    """The language's name in the reader's language, for sentences: "Spanish", "español"."""
    return i18n.language_name(code) if code else _("an unknown language")


MEDIA_KINDS = {"article": N_("Article"), "audio": N_("Audio"), "video": N_("Video"),
               "lecture": N_("Lecture")}


KIND_PLURALS = {"article": N_("Articles"), "audio": N_("Audio"), "video": N_("Video"),
                "lecture": N_("Lectures")}


def kind_name(kind: str) -> str:
    return _(MEDIA_KINDS.get(str(kind), str(kind)))


def kind_plural(kind: str) -> str:
    """A listing's name: "Articles", "Lectures"."""
    return _(KIND_PLURALS.get(str(kind), str(kind)))
