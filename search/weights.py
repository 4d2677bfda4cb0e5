"""Which text fields a query reads, and how much each weighs: the reader's language (its
own text or its translation) and the originals, titles above bodies. Both engines use it,
so a query ranks alike in either."""

from __future__ import annotations

TITLE = "title_"
ORIGINAL = "any"  # the originals' fields: title_any, body_any
TITLE_BOOST = 3.0
ORIGINAL_WEIGHT = 0.8  # an original in another language than the reader's weighs a bit less


def text_fields(lang: str | None, with_original: bool) -> list[tuple[str, float]]:
    """(field, boost) a query reads for a reader of `lang` (None: a language the site
    does not have, so the originals only)."""
    fields = []
    if lang is not None:
        fields += [(f"title_{lang}", TITLE_BOOST), (f"body_{lang}", 1.0)]
    if with_original or lang is None:
        fields += [(f"title_{ORIGINAL}", TITLE_BOOST * ORIGINAL_WEIGHT),
                   (f"body_{ORIGINAL}", ORIGINAL_WEIGHT)]
    return fields
