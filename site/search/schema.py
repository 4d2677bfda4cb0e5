"""The search index's shape: one document per approved item, text fields per language.

An item is indexed once with its original text (a language-neutral analyzer) and once
more per site language: its own text under its language, its translations under theirs,
each with that language's stemmer. A query is run against every text field, so words
from any language find the item whatever language it was written in.
"""

from __future__ import annotations

from datetime import UTC, datetime

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LanguageAnalyzer,
    LowercaseFilter,
    NgramWordAnalyzer,
    RegexTokenizer,
)
from whoosh.fields import DATETIME, ID, TEXT, Schema
from whoosh.lang import has_stemmer
from whoosh.support.charset import accent_map

from rabkor.core.store.models import Item
from rabkor.core.text.html import plain_text

TEXT_FIELDS = ("title", "summary", "content")
FIELD_BOOSTS = {"title": 3.0, "summary": 1.5, "content": 1.0}
# Scripts written without spaces between words: whole runs become one token, so they
# are indexed as single characters and pairs of characters instead.
UNSPACED = frozenset({"zh", "ja", "ko"})
# Whoosh 2.7.4's Arabic (ISRI) stemmer fails on Python 3 ("bad escape \u"): skip it.
BROKEN_STEMMERS = frozenset({"ar"})


def analyzer_for(lang: str | None) -> Analyzer:
    """A stemming analyzer where Whoosh has one (en, es, de, fr, pt, ru, ar…), else a plain one.

    Accents are folded after stemming so that "informacion" finds "información".
    """
    if lang in UNSPACED:
        return NgramWordAnalyzer(1, 2)
    if lang is None or lang in BROKEN_STEMMERS or not has_stemmer(lang):
        return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
    return LanguageAnalyzer(lang) | CharsetFilter(accent_map)


def field_name(field: str, lang: str) -> str:
    return f"{field}_{lang}"


def text_field(lang: str | None) -> TEXT:
    multitoken = "and" if lang in UNSPACED else "default"
    return TEXT(analyzer=analyzer_for(lang), multitoken_query=multitoken)


def build_schema(languages: tuple[str, ...]) -> Schema:
    """The schema for a site with these languages; a change of languages needs a rebuild."""
    fields = {
        "id": ID(stored=True, unique=True),
        "language": ID(stored=True),
        "media_kind": ID(stored=True),
        "source": TEXT(analyzer=analyzer_for(None)),
        "published": DATETIME(stored=True, sortable=True),
    }
    fields.update({name: text_field(None) for name in TEXT_FIELDS})
    for lang in languages:
        fields.update({field_name(name, lang): text_field(lang) for name in TEXT_FIELDS})
    return Schema(**fields)


def searchable_fields(languages: tuple[str, ...]) -> dict[str, float]:
    """Every text field a query looks in, with its boost."""
    boosts = dict(FIELD_BOOSTS, source=0.5)
    for lang in languages:
        boosts.update({field_name(name, lang): b for name, b in FIELD_BOOSTS.items()})
    return boosts


def document_for(item: Item, languages: tuple[str, ...]) -> dict[str, object]:
    """The Whoosh document of an item: its original text, and its text in each site language."""
    original = {
        "title": item.title,
        "summary": plain_text(item.summary),
        "content": plain_text(item.content),
    }
    doc: dict[str, object] = {
        "id": str(item.id),
        "language": item.language or "",
        "media_kind": str(item.media_kind),
        "source": item.source.title if item.source else "",
        "published": _naive_utc(item.published_at or item.fetched_at),
        **original,
    }
    for lang in languages:
        for name, text in original.items():
            if lang == item.language:
                value = text
            else:
                translation = item.translation(name, lang)
                value = plain_text(translation.text) if translation else ""
            if value:
                doc[field_name(name, lang)] = value
    return doc


def _naive_utc(moment: datetime) -> datetime:
    """Whoosh's DATETIME fields subtract naive datetimes: give them UTC without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None)
