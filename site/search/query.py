"""Searching the index: a query in any language, checked so that it can neither crash nor crawl.

Whoosh parses almost anything, but not always as the reader meant (an open quotation
mark swallows the rest of the query), and a short wildcard expands to most of the
vocabulary (`*a*` took 143 s on 50,000 documents). Queries are therefore checked first,
and every wildcard is expanded here, within a budget, before Whoosh runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from whoosh import index, query
from whoosh.qparser import (
    GroupPlugin,
    MultifieldParser,
    OperatorsPlugin,
    PhrasePlugin,
    WhitespacePlugin,
    WildcardPlugin,
)
from whoosh.reading import IndexReader
from whoosh.support.charset import accent_map

from rabkor.core.errors import QueryError
from rabkor.core.settings import Settings
from rabkor.site.search.schema import field_name, searchable_fields

MAX_LENGTH = 300
MIN_PREFIX = 3
MAX_EXPANSION = 500  # words one query's wildcards may stand for, over all fields
OWN_LANGUAGE_BOOST = 1.5


@dataclass(frozen=True)
class Hit:
    item_id: int
    score: float


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return ceil(self.total / self.per_page)


class StarWildcardPlugin(WildcardPlugin):
    """Only `*` is a wildcard: a reader's `?` (or Arabic `؟`) ends a question."""

    qmarks = ""
    expr = r"(?P<text>[*])"


def search(settings: Settings, q: str, *, lang: str, page: int = 1,
           per_page: int = 20) -> SearchResults:
    """The items matching `q`, best first; fields in the reader's language weigh a bit more."""
    text = check_query(q)
    page = max(page, 1)
    if not index.exists_in(str(settings.index_dir)):
        return SearchResults(text, 0, page, per_page)
    ix = index.open_dir(str(settings.index_dir.resolve()))  # a rebuild may swap the link meanwhile
    with ix.searcher() as searcher:
        parsed = _bounded(_parse(text, ix.schema, settings.languages, lang), searcher.reader())
        results = searcher.search(parsed, limit=page * per_page)
        window = results[(page - 1) * per_page:page * per_page]
        hits = [Hit(int(hit["id"]), hit.score) for hit in window]
        return SearchResults(text, len(results), page, per_page, hits)


def check_query(q: str) -> str:
    """The query with spaces tidied, or a QueryError saying what to change."""
    text = " ".join(q.split())
    if not text:
        raise QueryError("Type a word or a phrase to search for.")
    if len(text) > MAX_LENGTH:
        raise QueryError(f"This search is {len(text)} characters long; the limit is "
                         f"{MAX_LENGTH}. Use fewer words.")
    if "\x00" in text:
        raise QueryError("This search contains a character that cannot be searched for.")
    if text.count('"') % 2:
        raise QueryError('A quotation mark (") is not closed. Close the phrase or remove it.')
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError("A closing parenthesis has no opening one. Remove it.")
    if depth:
        raise QueryError("A parenthesis is not closed. Close it or remove it.")
    return text


def _parse(text: str, schema, languages: tuple[str, ...], lang: str) -> query.Query:
    boosts = searchable_fields(languages)
    for name in ("title", "summary", "content"):
        if lang in languages:
            boosts[field_name(name, lang)] *= OWN_LANGUAGE_BOOST
    plugins = [WhitespacePlugin(), StarWildcardPlugin(), PhrasePlugin(), GroupPlugin(),
               OperatorsPlugin()]
    parser = MultifieldParser(list(boosts), schema, fieldboosts=boosts, plugins=plugins)
    try:
        return parser.parse(text)
    except Exception as exc:  # Whoosh's parser has no error hierarchy of its own
        raise QueryError("This search could not be understood. Try plain words.") from exc


def _bounded(parsed: query.Query, reader: IndexReader) -> query.Query:
    """The query with each wildcard replaced by the words it matches, within a budget."""
    budget = [MAX_EXPANSION]

    def expand(node: query.Query) -> query.Query:
        if isinstance(node, query.Every):
            raise QueryError("A search needs at least one word.")
        if isinstance(node, query.Prefix | query.Wildcard):
            return _expand(node, reader, budget)
        return node

    return parsed.accept(expand)


def _expand(node: query.Prefix | query.Wildcard, reader: IndexReader,
            budget: list[int]) -> query.Query:
    shown = node.text if isinstance(node, query.Wildcard) else node.text + "*"
    literal = node.text.split("*")[0].split("?")[0]
    if not literal:
        raise QueryError(f"“{shown}”: a search cannot start with *. Put at least "
                         f"{MIN_PREFIX} letters before it, as in econom*.")
    if len(literal) < MIN_PREFIX:
        raise QueryError(f"“{shown}”: put at least {MIN_PREFIX} letters before *, "
                         "as in econom*.")
    node = node.copy()
    node.text = node.text.lower().translate(accent_map)
    schema_field = reader.schema[node.fieldname]
    terms = []
    for fieldname, btext in node.expanded_terms(reader):
        budget[0] -= 1
        if budget[0] < 0:
            raise QueryError(f"“{shown}” matches too many words. Type more letters before *.")
        terms.append(query.Term(fieldname, schema_field.from_bytes(btext), boost=node.boost))
    return query.Or(terms) if terms else query.NullQuery
