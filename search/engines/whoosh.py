"""Whoosh (pure Python): the supported engine for a machine where tantivy's wheel cannot
be installed. Slower by two orders of magnitude (bench/search), so it is used the way
that costs least: the index opened once per process and one searcher kept and refreshed
(opening both per request was ~270 of the 347 ms a query took), the total counted by
the collector instead of running each query twice (a very large result's on a sample:
COUNT_EXACT), a rebuild written with
`add_document` into an empty index (`update_document` opened readers over every segment
for every item), and four text fields read per query instead of 28.

What a searcher can answer once is kept with it until a commit replaces it: the documents
of each status (a filter set: Whoosh's ConstantScoreQuery lists every matching id on
each query, 50 ms for the published items of 100,000), the documents in order of
publication (date ranges) and the facets' columns, counted in Python over the matches
(Whoosh's grouping re-read each column's offsets per query and built the topics' lists
for the whole index each time).
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import collectors, index, query
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.support.charset import accent_map

from rabkor.search.analysis import STEMMERS, WORD
from rabkor.search.compiler import Compiler
from rabkor.search.documents import SearchDocument, fields_of
from rabkor.search.engine import FACET_SIZE, FACETS, Hit, SearchRequest, labelled
from rabkor.search.weights import text_fields

BROKEN_STEMMERS = frozenset({"ar"})  # Whoosh 2.7.4's ISRI stemmer fails on Python 3
EXPANSION_SCAN = 5000  # words a prefix reads before keeping the most frequent
# A query that may match more than COUNT_EXACT documents is counted on a sample (one
# stripe of STRIPE documents in every SAMPLE, scaled): its total and facets are
# estimates, and the page is Whoosh's top-k alone, which drops the parts of the query
# that cannot reach it. Counting every match exactly walks all of its postings again
# and counts its facets over all of them (Python: ~2 µs a posting)
COUNT_EXACT = 2000
SAMPLE = 16
STRIPE = 128


def _analyzer(lang: str | None):
    chain = RegexTokenizer(WORD.pattern) | LowercaseFilter()
    if lang in STEMMERS and lang not in BROKEN_STEMMERS:
        chain = chain | StemFilter(lang=STEMMERS[lang])
    return chain | CharsetFilter(accent_map)


def _schema(languages: tuple[str, ...]) -> Schema:
    fields = {
        "id": NUMERIC(int, stored=True, unique=True, signed=False, bits=64), "status": ID(),
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
        self._kept: dict[object, object] = {}  # what the current searcher answered once
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
            fresh = (self.index.searcher() if self._searcher is None
                     else self._searcher.refresh())
            if fresh is not self._searcher:
                self._searcher, self._kept = fresh, {}
            return self._searcher

    def _once(self, key: object, compute):
        """`compute()`, kept until the searcher changes (a commit)."""
        if key not in self._kept:
            self._kept[key] = compute()
        return self._kept[key]

    def search(self, request: SearchRequest) -> tuple[int, list[Hit], dict, bool, bool]:
        with self._searching:  # a Whoosh searcher's readers are not shared across threads
            return self._search(request)

    def _search(self, request: SearchRequest) -> tuple[int, list[Hit], dict, bool, bool]:
        searcher = self.searcher()
        compiler = _Compiler(self, searcher, request.lang)
        q = compiler.compile(request.query)
        statused = self._once(("status", request.statuses), lambda: set(searcher.docs_for_query(
            query.Or([query.Term("status", s) for s in request.statuses]))))
        q, dated = self._dated(searcher, q)
        allowed = statused if dated is None else statused & dated
        if not allowed:  # Whoosh reads an empty filter as none
            return 0, [], {}, False, False
        sortedby, reverse = None, False
        if request.sort != "relevance":
            sortedby, reverse = "published", request.sort != "oldest"
        limit = request.offset + request.limit
        sampled = None
        if sortedby is None and q.estimate_size(searcher.reader()) > COUNT_EXACT:
            scale = self._once(("scale", request.statuses), lambda: len(statused) / max(
                1, sum(1 for d in statused if d % (STRIPE * SAMPLE) < STRIPE)))
            sampled = [d for d in self._sample(searcher, q) if d in allowed]
            if len(sampled) * scale < COUNT_EXACT:  # fewer than it seemed: count them
                sampled = None
        if sampled is None:  # every match visited once, counted and kept for the facets;
            # replace=0: by default Whoosh drops, every ten matches, the parts of the query
            # that cannot lift a document into the page alone, and what only they match
            # went uncounted (561 of the 2,772 documents of "o que" at 20,000)
            keeping = (_KeepingTop(max(limit, 1), usequality=False, replace=0) if sortedby is None
                       else _KeepingSorted(sortedby, limit=max(limit, 1), reverse=reverse))
            collector = collectors.FilterCollector(keeping, allow=allowed)
            searcher.search_with_collector(q, collector)
            results, docs, scale = collector.results(), keeping.docset, 1
        else:  # the page alone (Whoosh drops what cannot reach it); the rest estimated
            results = searcher.search(q, limit=max(limit, 1), optimize=True, filter=allowed)
            docs = sampled
        found = [(hit["id"], float(hit.score or 0.0), hit.get("lang", ""), hit.get("human", ""))
                 for hit in results[request.offset:limit]]

        def matched_in_reader(ids: list[int]) -> set[int]:
            own = compiler.compile(request.query, text_fields(request.lang, False))
            narrowed = query.And([query.Or([query.Term("id", i) for i in ids]), own])
            return {hit["id"] for hit in searcher.search(narrowed, limit=len(ids))}

        hits = labelled(found, request.lang, self.languages, matched_in_reader,
                        request.labels)
        total, estimated = round(len(docs) * scale), sampled is not None
        if estimated:  # to two digits, as an estimate is told ("about 2,800 results")
            total = round(total, 2 - len(str(total)))
        if not (request.facets and total):
            return total, hits, {}, estimated, estimated
        return total, hits, self._facets(searcher, docs, scale), estimated, estimated

    def _dated(self, searcher, q) -> tuple[query.Query, set[int] | None]:
        """The query without its top-level date ranges, and the documents those allow
        (None: it has none), read from the kept column: matched, a range is a union of
        numeric terms stepped through for every candidate (after: was the slowest kind)."""
        parts = q.subqueries if isinstance(q, query.And) else [q]
        ranges = [part for part in parts if isinstance(part, _Published)]
        if not ranges:
            return q, None
        order, times = self._once("published", lambda: _by_date(searcher))
        dated = None
        for r in ranges:
            found = set(order[0 if r.start is None else bisect_left(times, r.start):
                              len(times) if r.end is None else bisect_right(times, r.end)])
            dated = found if dated is None else dated & found
        rest = [part for part in parts if not isinstance(part, _Published)]
        return (rest[0] if len(rest) == 1 else query.And(rest) if rest else query.Every()), dated

    @staticmethod
    def _sample(searcher, q) -> Iterator[int]:
        """The matches among the documents of one stripe of STRIPE in every SAMPLE: the
        matcher skips to each stripe (whole posting blocks unread), so a query of common
        words is counted on a sixteenth of its postings, spread over the whole index."""
        period = STRIPE * SAMPLE
        for sub, offset in searcher.leaf_searchers():
            matcher = q.matcher(sub, sub.context())
            for start in range(-(offset % period), sub.doc_count_all(), period):
                if not matcher.is_active():
                    break
                if matcher.id() < start:
                    matcher.skip_to(start)
                while matcher.is_active() and matcher.id() < start + STRIPE:
                    yield offset + matcher.id()
                    matcher.next()

    def _facets(self, searcher, docs, scale: int) -> dict[str, list[tuple[str, int]]]:
        """Counted over the matches' document numbers (all, or a sample's, each counting
        for `scale`) in the searcher's kept columns."""
        counted: dict[str, dict[str, int]] = {}
        for name in FACETS:
            if name == "topic":
                continue
            column = self._once(("column", name), lambda n=name: list(
                searcher.reader().column_reader(n)))
            counts: dict[str, int] = {}
            for d in docs:
                value = column[d]
                counts[value] = counts.get(value, 0) + 1
            counted[name] = {str(k): n for k, n in counts.items() if k not in (None, "", b"")}
        topics = self._once("topics", lambda: {
            (t.decode() if isinstance(t, bytes) else t): set(
                searcher.reader().postings("topic", t).all_ids())
            for t in searcher.reader().lexicon("topic")})
        matched = docs if isinstance(docs, set) else set(docs)
        counted["topic"] = {t: len(matched & ids) for t, ids in topics.items()}
        return {name: sorted(((k, round(n * scale)) for k, n in counted[name].items() if n),
                             key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE] for name in FACETS}

    def stamp(self) -> object:
        return self.index.latest_generation()

    def vocabulary(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        reader = self.searcher().reader()
        words: dict[str, int] = {}
        for field in ("title_any", "body_any"):
            for word, count in _prefixed(reader, field, prefix, limit):
                words[word] = words.get(word, 0) + count
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
            fields = fields_of(d, self.languages)
            if d.topics:
                fields["topic"] = ",".join(d.topics)
            if replace and not self.empty:
                self.writer.update_document(**fields)
            else:
                self.writer.add_document(**fields)

    def delete(self, item_ids: Iterable[int]) -> None:
        for item_id in item_ids:
            self.writer.delete_by_term("id", item_id)


class _Compiler(Compiler):
    """The query tree as Whoosh queries."""

    def __init__(self, engine: WhooshEngine, searcher, lang: str):
        super().__init__(engine, lang)
        self.reader = searcher.reader()

    def term(self, field: str, text: str) -> query.Query:
        return query.Term(field, text)

    def terms(self, field: str, texts: list[str]) -> query.Query:
        return query.Or([query.Term(field, t) for t in texts])

    def phrase(self, field: str, texts: list[str]) -> query.Query:
        return query.Phrase(field, texts)

    def all_of(self, must: list, must_not: tuple | list = ()) -> query.Query:
        base = must[0] if len(must) == 1 else query.And(must)
        return query.AndNot(base, query.Or(list(must_not))) if must_not else base

    def any_of(self, queries: list) -> query.Query:
        return query.Or(queries)

    def everything(self) -> query.Query:
        return query.Every()

    def nothing(self) -> query.Query:
        return query.NullQuery

    def boost(self, q: query.Query, weight: float) -> query.Query:
        q.boost = weight
        return q

    def published(self, lower: int | None, below: int | None) -> query.Query:
        # not constant-scored: that would list every id in the range for each query
        return _Published("published", lower, None if below is None else below - 1,
                          constantscore=False)

    def prefixed(self, field: str, prefix: str, limit: int) -> list[str]:
        return [word for word, _ in _prefixed(self.reader, field, prefix, limit)]


def _prefixed(reader, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
    """The `limit` most frequent of the first EXPANSION_SCAN words of `field` beginning
    with `prefix`, with their document counts."""
    found = []
    for n, term in enumerate(reader.expand_prefix(field, prefix)):
        if n >= EXPANSION_SCAN:
            break
        word = term.decode() if isinstance(term, bytes) else term
        found.append((word, reader.doc_frequency(field, term)))
    found.sort(key=lambda f: -f[1])
    return found[:limit]


class _Published(query.NumericRange):
    """A date range: a filter when the query is all of it and other parts (_dated)."""


def _by_date(searcher) -> tuple[list[int], list[int]]:
    """The document numbers in order of publication, and their dates in that order."""
    column = list(searcher.reader().column_reader("published"))
    order = sorted(range(len(column)), key=column.__getitem__)
    return order, [column[d] for d in order]


class _Keeping:
    """A Whoosh collector that also keeps every match it counts, for the facets (Whoosh
    runs the query a second time to list them)."""

    def collect(self, sub_docnum):
        self.docset.add(self.offset + sub_docnum)
        return super().collect(sub_docnum)


class _KeepingTop(_Keeping, collectors.TopCollector):
    pass


class _KeepingSorted(_Keeping, collectors.SortingCollector):
    pass
