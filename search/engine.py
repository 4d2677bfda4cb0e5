"""The one search interface the site, the editor and the indexer call; engines/ has its two
embedded implementations (tantivy, the default, and Whoosh, pure Python), chosen by the
`search_engine` setting and held to the same tests.

An engine owns one index directory. Writing goes through `writer()` (add or replace
documents and delete them in batches, committed at the end of the block); `search` takes
a parsed query (query.py) and answers one page with the total, facets and per-hit the
language it matched in; `analyze` gives the words of a text as the index has them, with
their places, for snippets (snippets.py). An engine for a site past one machine
(OpenSearch, PostgreSQL full-text search) is one more class with these methods: see
"Search" in the README.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from math import ceil
from pathlib import Path
from typing import Protocol

from rabkor.core.store.models import ItemStatus
from rabkor.search.documents import SearchDocument
from rabkor.search.query import Node

FACETS = ("lang", "kind", "source", "topic", "year")
# what the index holds: the published items and the queue's (indexer._indexable)
INDEXED = (ItemStatus.APPROVED.value, ItemStatus.PENDING.value)
MAX_EXPANSION = 200  # words one prefix stands for in a field: the most frequent ones
FACET_SIZE = 20


@dataclass(frozen=True)
class SearchRequest:
    query: Node
    lang: str  # the reader's language: its fields weigh more, snippets come from it
    languages: tuple[str, ...]  # the site's
    sort: str = "relevance"  # or "newest", "oldest"
    offset: int = 0
    limit: int = 20
    facets: bool = True
    statuses: tuple[str, ...] = ("approved",)  # readers see published items; the queue pending
    labels: bool = True  # where each hit matched, for readers; the queue wants the ids only


@dataclass(frozen=True)
class Hit:
    item_id: int
    score: float
    # where the query matched, for the reader's label: "original", "machine", "human"
    matched: str = "original"


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    facets_estimated: bool = False  # counted on a sample of a very large result
    total_estimated: bool = False  # so is the total (Whoosh: "about N results")
    tree: Node | None = None  # the parsed query, for snippets
    engine: Engine | None = field(default=None, repr=False, compare=False)  # that answered

    @property
    def pages(self) -> int:
        return ceil(self.total / self.per_page)


class IndexWriter(Protocol):
    def add(self, documents: Iterable[SearchDocument], replace: bool = True) -> None:
        """Add documents, replacing any of the same items (`replace=False`: the index has
        none of them, as in a rebuild, and nothing is looked up)."""

    def delete(self, item_ids: Iterable[int]) -> None: ...

    def commit(self) -> None:
        """Make what was written so far searchable (and durable); writing goes on."""


class Engine(Protocol):
    name: str
    directory: Path  # the index version it reads: unique, as versions are never reused

    def writer(self) -> AbstractContextManager[IndexWriter]:
        """A writer committed when the block ends, rolled back if it raises."""

    def search(self, request: SearchRequest) -> tuple[int, list[Hit], dict, bool, bool]:
        """The total, one page of hits, the facets (name → [(value, count)]), whether
        their counts are estimated from a sample and whether the total is."""

    def stamp(self) -> object:
        """A value that changes with every commit (what cached results depend on)."""

    def vocabulary(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        """Words of the originals beginning with `prefix`, most frequent first."""

    def analyze(self, text: str, lang: str | None) -> list[tuple[int, int, str]]:
        """(start, end, term) of each word of `text` as the index has it in `lang`'s
        fields (None: the originals')."""

    def close(self) -> None: ...


def labelled(found: list[tuple[int, float, str, str]], reader: str, languages: tuple[str, ...],
             matched_in_reader: Callable[[list[int]], set[int]], wanted: bool = True
             ) -> list[Hit]:
    """Hits (item id, score, original language, languages of human texts) with where
    each matched: `matched_in_reader(ids)` says which of them the query matches in the
    reader's own fields, asked only for hits written in another language (a hit in the
    reader's language matched its original). Not `wanted`: the hits unlabelled."""
    if not wanted:
        return [Hit(item_id, score) for item_id, score, _, _ in found]
    others = [item_id for item_id, _, lang, _ in found if lang != reader]
    in_reader = matched_in_reader(others) if others and reader in languages else set()
    return [Hit(item_id, score, "original" if item_id not in in_reader
                else "human" if reader in human.split() else "machine")
            for item_id, score, lang, human in found]


def engine_class(name: str) -> type:
    if name == "whoosh":
        from rabkor.search.engines.whoosh import WhooshEngine

        return WhooshEngine
    from rabkor.search.engines.tantivy import TantivyEngine

    return TantivyEngine


def open_engine(name: str, directory: Path, languages: tuple[str, ...],
                create: bool = False) -> Engine:
    return engine_class(name)(directory, languages, create=create)
