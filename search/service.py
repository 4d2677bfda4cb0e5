"""Searching, as the site and the editor call it: the query parsed and checked, the engine
of the live index version (opened once per process and kept: opening an index per
request cost most of a query's time), one page of hits with facets, and a "did you
mean" from the index's own words when nothing matched."""

from __future__ import annotations

import difflib
import threading

from rabkor.core.settings import Settings
from rabkor.search.analysis import is_unspaced
from rabkor.search.engine import Engine, SearchRequest, SearchResults, open_engine
from rabkor.search.indexer import current_version
from rabkor.search.query import Word, check_query, parse, words_of

SORTS = ("relevance", "newest", "oldest")
MAX_PAGE = 500  # deeper pages are refused: nobody reads them, and they cost
SUGGEST_CANDIDATES = 2000

FACET_CACHE = 512  # queries whose facets are kept: the next page and a popular query reuse
# them (counting facets is half of a tantivy query's time); every commit changes the
# engine's stamp, so no count outlives the index it was counted on
_engines: dict[tuple, Engine] = {}
_facets: dict[tuple, dict] = {}
_lock = threading.Lock()


def search(settings: Settings, q: str, *, lang: str, page: int = 1, per_page: int = 20,
           sort: str = "relevance", facets: bool = True,
           statuses: tuple[str, ...] = ("approved",), labels: bool = True) -> SearchResults:
    """The items matching `q` (of these statuses: the published ones unless the queue
    asks for others), one page of them; a QueryError says what to change. `labels`: say
    where each hit matched (original, machine or human text), as readers are told."""
    text = check_query(q)
    tree = parse(text)
    page = min(max(page, 1), MAX_PAGE)
    engine = live_engine(settings)
    if engine is None:
        return SearchResults(text, 0, page, per_page, tree=tree)
    key = (str(engine.directory), engine.stamp(), tree, lang, statuses)
    cached = _facets.get(key) if facets else None  # (facets, estimated)
    request = SearchRequest(tree, lang, settings.languages,
                            sort if sort in SORTS else "relevance",
                            (page - 1) * per_page, per_page, facets and cached is None,
                            statuses, labels)
    total, hits, found_facets, estimated, total_estimated = engine.search(request)
    if facets and cached is None:
        _facets[key] = (found_facets, estimated)
        while len(_facets) > FACET_CACHE:
            del _facets[next(iter(_facets))]
    if cached is not None:
        found_facets, estimated = cached
    suggestion = suggest(engine, text, tree) if total == 0 else None
    return SearchResults(text, total, page, per_page, hits, found_facets, suggestion, estimated,
                         total_estimated, tree, engine)


def live_engine(settings: Settings) -> Engine | None:
    """The engine over the live index version, None before the first indexing run (or
    while an index of a layout it cannot read is rebuilt). A rebuild swaps the version:
    the next search opens the new one."""
    version = current_version(settings, readable=True)
    if version is None:
        return None
    key = (settings.search_engine, str(version), settings.languages)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            for old_key in [k for k in _engines if k[0] == key[0] and k[2] == key[2]]:
                _engines.pop(old_key).close()
            engine = _engines[key] = open_engine(settings.search_engine, version,
                                                 settings.languages)
    return engine


def suggest(engine: Engine, text: str, tree) -> str | None:
    """The query with each unknown word replaced by the closest frequent word of the
    index that begins with the same letter (None when no word changes)."""
    changed = False
    replaced = text
    for node in words_of(tree):
        if not isinstance(node, Word) or node.prefix:
            continue
        word = node.text.lower()
        if is_unspaced(word) or len(word) < 3 or not word.isalpha():
            continue
        known = dict(engine.vocabulary(word[0], SUGGEST_CANDIDATES))
        if word in known:
            continue
        close = difflib.get_close_matches(word, list(known), n=3, cutoff=0.75)
        if close:
            best = max(close, key=lambda w: (difflib.SequenceMatcher(None, word, w).ratio(),
                                             known[w]))
            replaced = replaced.replace(node.text, best, 1)
            changed = True
    return replaced if changed else None
