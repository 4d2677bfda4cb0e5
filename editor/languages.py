"""Language names for display: editors read "Spanish", not "es"."""

from __future__ import annotations

from functools import cache

from babel import Locale

UI_LOCALE = "en"


@cache
def _names() -> dict[str, str]:
    return dict(Locale.parse(UI_LOCALE).languages)


def language_name(code: str | None) -> str:
    """The language's English name, or the code itself when Babel does not know it."""
    if not code:
        return "unknown language"
    return _names().get(code, _names().get(code.split("-")[0], code))
