"""tantivy (PyPI `tantivy`, an embedded Rust engine): the default engine.

Measured against Whoosh and SQLite FTS5 on the same 100,000 items and queries
(bench/search): a few milliseconds a query where Whoosh took hundreds. The index lives in
one directory; an opened index is kept for the life of the process and reloaded only
when a commit changed its `meta.json`. tantivy's own writer lock refuses a second writer
at once; the indexer's lock (indexer.py) queues writers before they get there.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import tantivy
from tantivy import FieldType, Filter, Occur, Order, Query, TextAnalyzerBuilder, Tokenizer

from rabkor.core.store.models import ItemStatus
from rabkor.search.analysis import STEMMERS
from rabkor.search.compiler import Compiler
from rabkor.search.documents import SearchDocument, fields_of
from rabkor.search.engine import FACET_SIZE, FACETS, INDEXED, Hit, SearchRequest, labelled
from rabkor.search.weights import text_fields

WRITER_HEAP = 256_000_000
# Facets of a result past FACET_EXACT matches are counted on a sample, the items whose id
# is a multiple of one of SAMPLES (the smallest that leaves about FACET_SAMPLE of the
# matches), scaled and shown as estimates: counting every match is a second pass over all
# of them (half of a query's time at 100,000 items; at 1,000,000 it grows with the matches)
FACET_EXACT = 20_000
FACET_SAMPLE = 5_000
SAMPLES = (16, 64, 256, 1024)


def _analyzer(lang: str | None) -> tantivy.TextAnalyzer:
    """Words are runs of letters and digits (analysis.WORD): tantivy's simple tokenizer,
    which indexed 4,500 items a second where its regex tokenizer on the same rule did 3,000."""
    builder = TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.lowercase())
    if lang in STEMMERS:
        builder = builder.filter(Filter.stemmer(STEMMERS[lang]))
    return builder.filter(Filter.ascii_fold()).filter(Filter.remove_long(100)).build()


def _schema(languages: tuple[str, ...]) -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("id", stored=True, indexed=True, fast=True)
    b.add_text_field("status", tokenizer_name="raw")
    for name in ("lang", "kind", "source", "topic", "human"):
        b.add_text_field(name, stored=name in ("lang", "human"), fast=True, tokenizer_name="raw")
    b.add_integer_field("published", indexed=True, fast=True)
    b.add_integer_field("year", indexed=True, fast=True)
    # each of SAMPLES that divides the item's id: the samples facets are counted on
    b.add_integer_field("sample", indexed=True)
    b.add_text_field("source_name", tokenizer_name="any")
    for field in ("title_any", "body_any"):
        b.add_text_field(field, tokenizer_name="any")
    for lang in languages:
        for field in (f"title_{lang}", f"body_{lang}"):
            b.add_text_field(field, tokenizer_name=f"lang_{lang}")
    return b.build()


class TantivyEngine:
    name = "tantivy"

    def __init__(self, directory: Path, languages: tuple[str, ...], create: bool = False):
        self.directory = directory
        self.languages = languages
        self.schema = _schema(languages)
        if create:
            directory.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, str(directory), reuse=not create)
        self.analyzers = {None: _analyzer(None)}
        self.index.register_tokenizer("any", self.analyzers[None])
        for lang in languages:
            self.analyzers[lang] = _analyzer(lang)
            self.index.register_tokenizer(f"lang_{lang}", self.analyzers[lang])
        self._meta_stamp = self._stamp()

    # writing

    @contextmanager
    def writer(self) -> Iterator[_Writer]:
        writer = self.index.writer(WRITER_HEAP)
        try:
            yield _Writer(writer, self.languages)
        except BaseException:
            writer.rollback()
            raise
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    # reading

    def _searcher(self) -> tantivy.Searcher:
        stamp = self._stamp()
        if stamp != self._meta_stamp:
            self.index.reload()
            self._meta_stamp = stamp
        return self.index.searcher()

    def stamp(self) -> object:
        return self._stamp()

    def _stamp(self) -> float:
        try:
            return os.stat(self.directory / "meta.json").st_mtime_ns
        except OSError:
            return 0

    def search(self, request: SearchRequest) -> tuple[int, list[Hit], dict, bool, bool]:
        searcher = self._searcher()
        compiler = _Compiler(self, searcher, request.lang)
        query = Query.boolean_query([(Occur.Must, compiler.compile(request.query)),
                                     *self._of_statuses(request.statuses, compiler)])
        kwargs: dict = {}
        if request.sort != "relevance":
            kwargs = {"order_by_field": "published",
                      "order": Order.Asc if request.sort == "oldest" else Order.Desc}
        result = searcher.search(query, limit=request.limit, offset=request.offset, count=True,
                                 **kwargs)
        docs = [(score, searcher.doc(address)) for score, address in result.hits]
        found = [(doc["id"][0], float(score) if isinstance(score, float) else 0.0,
                  doc.get_first("lang") or "", doc.get_first("human") or "")
                 for score, doc in docs]

        def matched_in_reader(ids: list[int]) -> set[int]:
            own = compiler.compile(request.query, fields=text_fields(request.lang, False))
            narrowed = Query.boolean_query([  # the ids as terms: seeks, not a term set's
                # pass over every document (0.5 ms a query at 100,000)
                (Occur.Must, compiler.any_of([Query.term_query(self.schema, "id", i)
                                              for i in ids])), (Occur.Must, own)])
            answer = searcher.search(narrowed, limit=len(ids), count=False)
            return {searcher.doc(a)["id"][0] for _, a in answer.hits}

        hits = labelled(found, request.lang, self.languages, matched_in_reader,
                        request.labels)
        if not (request.facets and result.count):
            return result.count, hits, {}, False, False
        if result.count <= FACET_EXACT:
            return result.count, hits, self._facets(searcher, query), False, False
        every = next((n for n in SAMPLES if result.count <= FACET_SAMPLE * n), SAMPLES[-1])
        sampled = _Compiler(self, searcher, request.lang,
                            within=Query.term_query(self.schema, "sample", every))
        sample = Query.boolean_query([(Occur.Must, sampled.compile(request.query)),
                                      *self._of_statuses(request.statuses, sampled)])
        return result.count, hits, self._facets(searcher, sample, every), True, False

    def _of_statuses(self, statuses: tuple[str, ...], compiler: _Compiler) -> list:
        """The clauses that keep the items of these statuses, scored as without. Readers'
        (the published items, nearly all of the index) exclude the others, a term of a
        few documents looked up per match: intersecting with a term of nearly every
        document was half of a common word's time at 1,000,000 items (18.8 against 9.5 ms)."""
        if ItemStatus.APPROVED.value in statuses:
            return [(Occur.MustNot, Query.term_query(self.schema, "status", s))
                    for s in INDEXED if s not in statuses]
        terms = [Query.term_query(self.schema, "status", s) for s in statuses]
        return [(Occur.Must, Query.const_score_query(
            terms[0] if len(terms) == 1 else compiler.any_of(terms), 0.0))]

    def _facets(self, searcher, query, scale: int = 1) -> dict[str, list[tuple[str, int]]]:
        spec = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACETS}
        answer = searcher.aggregate(query, spec)
        return {name: [(str(bucket["key"]).removesuffix(".0") if name == "year"
                        else str(bucket["key"]), int(bucket["doc_count"]) * scale)
                       for bucket in answer.get(name, {}).get("buckets", [])]
                for name in FACETS}

    def vocabulary(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        searcher = self._searcher()
        words: dict[str, int] = {}
        for field in ("title_any", "body_any"):
            for term, count in searcher.terms_with_prefix(field, prefix, limit=limit):
                words[term] = words.get(term, 0) + count
        return sorted(words.items(), key=lambda w: -w[1])[:limit]

    def analyze(self, text: str, lang: str | None) -> list[str]:
        return self.analyzers.get(lang, self.analyzers[None]).analyze(text)

    def close(self) -> None:
        self.index = None


class _Writer:
    def __init__(self, writer: tantivy.IndexWriter, languages: tuple[str, ...]):
        self.writer = writer
        self.languages = languages

    def add(self, documents: Iterable[SearchDocument], replace: bool = True) -> None:
        for d in documents:
            if replace:
                self.writer.delete_documents_by_term("id", d.item_id)
            fields = fields_of(d, self.languages)
            sample = [n for n in SAMPLES if d.item_id % n == 0]
            if sample:
                fields["sample"] = sample
            if d.topics:
                fields["topic"] = list(d.topics)
            self.writer.add_document(tantivy.Document(**fields))

    def delete(self, item_ids: Iterable[int]) -> None:
        for item_id in item_ids:
            self.writer.delete_documents_by_term("id", item_id)

    def commit(self) -> None:
        self.writer.commit()


class _Compiler(Compiler):
    """The query tree as tantivy queries."""

    def __init__(self, engine: TantivyEngine, searcher: tantivy.Searcher, lang: str,
                 within: Query | None = None):
        super().__init__(engine, lang)
        self.schema = engine.schema
        self.searcher = searcher
        # a sample every word and phrase is matched within: a union (a word in four
        # fields) reached by seeking, as the sample intersected with the whole query
        # reaches it, reads every posting of its parts, and a phrase's with positions
        # ("o que"'s facets at 1,000,000 items: 67 ms so, 11 ms matched within the sample;
        # `nicht OR will` 7.6 and 4.2 ms with one item in 64)
        self.within = within

    def _within(self, query: Query) -> Query:
        if self.within is None:
            return query
        return Query.boolean_query([(Occur.Must, self.within), (Occur.Must, query)])

    def term(self, field: str, text: str) -> Query:
        return self._within(Query.term_query(self.schema, field, text))

    def terms(self, field: str, texts: list[str]) -> Query:
        # scored like Whoosh's Or; a term set query marks every document of the segment in
        # a set first (0.5 ms a field at 100,000 documents, even for one rare word)
        return self.any_of([self.term(field, t) for t in texts])

    def phrase(self, field: str, texts: list[str]) -> Query:
        return self._within(Query.phrase_query(self.schema, field, texts))

    def all_of(self, must: list, must_not: tuple | list = ()) -> Query:
        if len(must) == 1 and not must_not:
            return must[0]
        return Query.boolean_query([(Occur.Must, q) for q in must]
                                   + [(Occur.MustNot, q) for q in must_not])

    def any_of(self, queries: list) -> Query:
        return Query.boolean_query([(Occur.Should, q) for q in queries])

    def everything(self) -> Query:
        return self.within or Query.all_query()

    def nothing(self) -> Query:
        return Query.empty_query()

    def boost(self, query: Query, weight: float) -> Query:
        return Query.boost_query(query, weight)

    def published(self, lower: int | None, below: int | None) -> Query:
        return self._within(Query.range_query(
            self.schema, "published", FieldType.Integer, lower, below, include_lower=True,
            include_upper=below is None))

    def prefixed(self, field: str, prefix: str, limit: int) -> list[str]:
        return [t for t, _ in self.searcher.terms_with_prefix(field, prefix, limit=limit)]
