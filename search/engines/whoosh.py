"""Whoosh (pure Python): the supported engine for a machine where tantivy's wheel cannot
be installed. Slower by two orders of magnitude (bench/search), so it is used the way
that costs least: the index opened once per process and one searcher kept and refreshed
(opening both per request was ~270 of the 347 ms a query took), the total counted by
the collector instead of running each query twice, a rebuild written with
`add_document` into an empty index (`update_document` opened readers over every segment
for every item), and four text fields read per query instead of 28.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index, query, sorting
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.support.charset import accent_map

from rabkor.search.analysis import STEMMERS, WORD, is_unspaced, readings
from rabkor.search.documents import SearchDocument
from rabkor.search.engine import FACET_SIZE, FACETS, MAX_EXPANSION, Hit, SearchRequest
from rabkor.search.query import All, Any, Not, Phrase, Word
from rabkor.search.query import Filter as QFilter
from rabkor.search.weights import ORIGINAL, TITLE, text_fields

BROKEN_STEMMERS = frozenset({"ar"})  # Whoosh 2.7.4's ISRI stemmer fails on Python 3
EXPANSION_SCAN = 5000  # words a prefix reads before keeping the most frequent
FACET_LIMIT = 2000  # results whose facets are counted: 1 s for 20,000 items in Python


def _analyzer(lang: str | None):
    chain = RegexTokenizer(WORD.pattern) | LowercaseFilter()
    if lang in STEMMERS and lang not in BROKEN_STEMMERS:
        chain = chain | StemFilter(lang=STEMMERS[lang])
    return chain | CharsetFilter(accent_map)


def _schema(languages: tuple[str, ...]) -> Schema:
    fields = {
        "id": NUMERIC(int, stored=True, unique=True, signed=False, bits=64),
        "lang": ID(stored=True, sortable=True), "kind": ID(sortable=True),
        "source": ID(sortable=True), "topic": KEYWORD(commas=True, lowercase=False),
        "human": ID(stored=True), "published": NUMERIC(int, sortable=True, bits=64),
        "year": NUMERIC(int, sortable=True), "source_name": TEXT(analyzer=_analyzer(None)),
        "title_any": TEXT(analyzer=_analyzer(None)), "body_any": TEXT(analyzer=_analyzer(None)),
    }
    for lang in languages:
        fields[f"title_{lang}"] = TEXT(analyzer=_analyzer(lang))
        fields[f"body_{lang}"] = TEXT(analyzer=_analyzer(lang))
    return Schema(**fields)


class WhooshEngine:
    name = "whoosh"

    def __init__(self, directory: Path, languages: tuple[str, ...], create: bool = False):
        self.directory = directory
        self.languages = languages
        if create:
            directory.mkdir(parents=True, exist_ok=True)
            self.index = index.create_in(str(directory), _schema(languages))
        else:
            self.index = index.open_dir(str(directory))
        self.analyzers = {lang: _analyzer(lang) for lang in (None, *languages)}
        self._searcher = None
        self._lock = threading.Lock()
        self._searching = threading.Lock()

    @contextmanager
    def writer(self) -> Iterator[_Writer]:
        writer = _Writer(self.index, self.languages)
        try:
            yield writer
        except BaseException:
            writer.writer.cancel()
            raise
        writer.writer.commit()

    def searcher(self):
        """The process's searcher, refreshed when a commit made it stale (cheap if not)."""
        with self._lock:
            if self._searcher is None:
                self._searcher = self.index.searcher()
            else:
                self._searcher = self._searcher.refresh()
            return self._searcher

    def search(self, request: SearchRequest) -> tuple[int, list[Hit], dict, bool]:
        with self._searching:  # a Whoosh searcher's readers are not shared across threads
            return self._search(request)

    def _search(self, request: SearchRequest) -> tuple[int, list[Hit], dict, bool]:
        searcher = self.searcher()
        compiler = _Compiler(self, searcher, request.lang)
        q = compiler.compile(request.query)
        sortedby, reverse = None, False
        if request.sort != "relevance":
            sortedby, reverse = "published", request.sort != "oldest"
        limit = request.offset + request.limit
        # optimize=False: every match is visited once and counted, so len() is exact
        # without running the query a second time (which len() of an optimized one does)
        results = searcher.search(q, limit=max(limit, 1), sortedby=sortedby, reverse=reverse,
                                  optimize=False)
        window = results[request.offset:limit]
        found = [(hit.score or 0.0, hit.fields()) for hit in window]
        in_reader: set[int] = set()
        if found and request.lang in self.languages:
            own = compiler.compile(request.query, text_fields(request.lang, False))
            ids = query.Or([query.Term("id", doc["id"]) for _, doc in found])
            for hit in searcher.search(query.And([own, ids]), limit=len(found)):
                in_reader.add(hit["id"])
        hits = []
        for score, doc in found:
            lang, human = doc.get("lang", ""), (doc.get("human") or "").split()
            matched = ("original" if doc["id"] not in in_reader or lang == request.lang
                       else "human" if request.lang in human else "machine")
            hits.append(Hit(doc["id"], float(score), matched))
        total = len(results)
        facets = self._facets(searcher, q) if request.facets and 0 < total <= FACET_LIMIT else {}
        return total, hits, facets, False

    def _facets(self, searcher, q) -> dict[str, list[tuple[str, int]]]:
        """Counted by Whoosh's grouping, which visits every matching document in Python:
        only for results of at most FACET_LIMIT items (tantivy counts them all)."""
        groupedby = {name: sorting.FieldFacet(name, allow_overlap=name == "topic",
                                              maptype=sorting.Count) for name in FACETS}
        results = searcher.search(q, limit=1, groupedby=groupedby)
        return {name: sorted(((str(k), n) for k, n in results.groups(name).items()
                              if k not in (None, "", b"")),
                             key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE] for name in FACETS}

    def stamp(self) -> object:
        return self.index.latest_generation()

    def vocabulary(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        reader = self.searcher().reader()
        words: dict[str, int] = {}
        for field in ("title_any", "body_any"):
            for n, term in enumerate(reader.expand_prefix(field, prefix)):
                if n >= EXPANSION_SCAN:
                    break
                word = term.decode() if isinstance(term, bytes) else term
                words[word] = words.get(word, 0) + reader.doc_frequency(field, term)
        return sorted(words.items(), key=lambda w: -w[1])[:limit]

    def analyze(self, text: str, lang: str | None) -> list[str]:
        return [t.text for t in self.analyzers.get(lang, self.analyzers[None])(text)]

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None


class _Writer:
    def __init__(self, ix, languages: tuple[str, ...]):
        self.index = ix
        self.writer = ix.writer(limitmb=256)
        self.languages = languages
        self.empty = ix.is_empty()  # nothing to replace: add_document, no reader per document

    def commit(self) -> None:
        """Whoosh's writer ends with its commit: a new one takes over."""
        self.writer.commit()
        self.writer = self.index.writer(limitmb=256)

    def add(self, documents: Iterable[SearchDocument], replace: bool = True) -> None:
        for d in documents:
            fields = {
                "id": d.item_id, "lang": d.language, "kind": d.kind, "source": str(d.source_id),
                "published": d.published, "year": d.year, "source_name": d.source_name,
                "title_any": d.title, "body_any": d.body,
                "human": " ".join(lang for lang, (_, _, o) in d.texts.items() if o == "human"),
            }
            if d.topics:
                fields["topic"] = ",".join(d.topics)
            for lang, (title, body, _) in d.texts.items():
                if lang in self.languages:
                    fields[f"title_{lang}"], fields[f"body_{lang}"] = title, body
            if replace and not self.empty:
                self.writer.update_document(**fields)
            else:
                self.writer.add_document(**fields)

    def delete(self, item_ids: Iterable[int]) -> None:
        for item_id in item_ids:
            self.writer.delete_by_term("id", item_id)


class _Compiler:
    """Our query tree (query.py) as a Whoosh query for one reader's language."""

    def __init__(self, engine: WhooshEngine, searcher, lang: str):
        self.engine = engine
        self.reader = searcher.reader()
        self.lang = lang if lang in engine.languages else None
        self.fields = text_fields(self.lang, True)

    def compile(self, node, fields: list[tuple[str, float]] | None = None) -> query.Query:
        saved = self.fields
        if fields is not None:
            self.fields = fields
        try:
            return self._node(node)
        finally:
            self.fields = saved

    def _node(self, node) -> query.Query:
        if isinstance(node, Word | Phrase):
            return self._text(node)
        if isinstance(node, QFilter):
            return self._filter(node)
        if isinstance(node, Not):
            return query.And([query.Every(), query.Not(self._node(node.node))])
        if isinstance(node, All):
            if not node.nodes:
                return query.Every()
            positive = [self._node(n) for n in node.nodes if not isinstance(n, Not)]
            negative = [self._node(n.node) for n in node.nodes if isinstance(n, Not)]
            base = query.And(positive) if positive else query.Every()
            return query.AndNot(base, query.Or(negative)) if negative else base
        if isinstance(node, Any):
            return query.Or([self._node(n) for n in node.nodes])
        raise TypeError(node)

    def _text(self, node: Word | Phrase) -> query.Query:
        parts = []
        for field, boost in self.fields:
            if node.field is not None and not field.startswith(TITLE):
                continue
            lang = field.split("_", 1)[1]
            lang = None if lang == ORIGINAL else lang
            q = (self._prefix(field, node.text, lang) if isinstance(node, Word) and node.prefix
                 else self._words(field, node.text, lang))
            if q is not None:
                q.boost = boost
                parts.append(q)
        return query.Or(parts) if parts else query.NullQuery

    def _words(self, field: str, text: str, lang: str | None) -> query.Query | None:
        """As the tantivy engine's: a term, a phrase, all of a Chinese word's terms."""
        options = []
        for pieces in readings(text, lang):
            terms = [t for piece in pieces for t in self.engine.analyze(piece, lang)]
            if len(terms) == 1:
                options.append(query.Term(field, terms[0]))
            elif terms and is_unspaced(text):
                options.append(query.And([query.Term(field, t) for t in terms]))
            elif terms:
                options.append(query.Phrase(field, terms))
        if len(options) > 1:
            return query.Or(options)
        return options[0] if options else None

    def _prefix(self, field: str, text: str, lang: str | None) -> query.Query | None:
        terms = self.engine.analyze(text, lang) or self.engine.analyze(text, None)
        if not terms:
            return None
        found = []
        for n, term in enumerate(self.reader.expand_prefix(field, terms[0])):
            if n >= EXPANSION_SCAN:
                break
            found.append((self.reader.doc_frequency(field, term), term))
        found.sort(key=lambda f: -f[0])
        words = [t.decode() if isinstance(t, bytes) else t for _, t in found[:MAX_EXPANSION]]
        return query.Or([query.Term(field, w) for w in words]) if words else None

    def _filter(self, node: QFilter) -> query.Query:
        name, value = node.name, node.value
        if name in ("before", "after"):
            lower, upper = (None, value - 1) if name == "before" else (value, None)
            return query.NumericRange("published", lower, upper)
        if name == "source" and not str(value).isdigit():
            terms = [t for w in WORD.findall(str(value)) for t in self.engine.analyze(w, None)]
            return (query.And([query.Term("source_name", t) for t in terms]) if terms
                    else query.NullQuery)
        return query.Term(name, str(value))
