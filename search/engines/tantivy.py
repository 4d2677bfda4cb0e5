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

from rabkor.search.analysis import STEMMERS, WORD, is_unspaced, readings
from rabkor.search.documents import SearchDocument
from rabkor.search.engine import FACET_SIZE, FACETS, MAX_EXPANSION, Hit, SearchRequest
from rabkor.search.query import All, Any, Not, Phrase, Word
from rabkor.search.query import Filter as QFilter
from rabkor.search.weights import ORIGINAL, TITLE, text_fields

WRITER_HEAP = 256_000_000
# Facets of a result past FACET_EXACT matches are counted on one item in SAMPLE (by id)
# and scaled, shown as estimates: counting every match is a second pass over all of them
# (half of a query's time at 100,000 items; at 1,000,000 it grows with the matches)
FACET_EXACT = 20_000
SAMPLE = 16


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
    for name in ("lang", "kind", "source", "topic", "human"):
        b.add_text_field(name, stored=name in ("lang", "human"), fast=True, tokenizer_name="raw")
    b.add_integer_field("published", indexed=True, fast=True)
    b.add_integer_field("year", indexed=True, fast=True)
    b.add_integer_field("sample", indexed=True)  # item id modulo SAMPLE: facets of large results
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

    def search(self, request: SearchRequest) -> tuple[int, list[Hit], dict, bool]:
        searcher = self._searcher()
        compiled = _Compiler(self, searcher, request.lang)
        query = compiled.compile(request.query)
        kwargs: dict = {}
        if request.sort != "relevance":
            kwargs = {"order_by_field": "published",
                      "order": Order.Asc if request.sort == "oldest" else Order.Desc}
        result = searcher.search(query, limit=request.limit, offset=request.offset, count=True,
                                 **kwargs)
        found = [(score, searcher.doc(address)) for score, address in result.hits]
        hits = self._labelled(searcher, compiled, request, found)
        if not (request.facets and result.count):
            return result.count, hits, {}, False
        if result.count <= FACET_EXACT:
            return result.count, hits, self._facets(searcher, query), False
        sample = Query.boolean_query([
            (Occur.Must, Query.term_query(self.schema, "sample", 0)), (Occur.Must, query)])
        return result.count, hits, self._facets(searcher, sample, SAMPLE), True

    def _labelled(self, searcher, compiled: _Compiler, request: SearchRequest,
                  found: list) -> list[Hit]:
        """Each hit with where it matched: in the reader's language (its own text, or a
        machine or a human translation) or only in the original."""
        # only a hit in another language than the reader's can have matched a translation
        ids = [doc["id"][0] for _, doc in found if doc.get_first("lang") != request.lang]
        in_reader: set[int] = set()
        if ids and request.lang in self.languages:
            own = compiled.compile(request.query, fields=text_fields(request.lang, False))
            query = Query.boolean_query([
                (Occur.Must, Query.term_set_query(self.schema, "id", ids)),
                (Occur.Must, own)])
            result = searcher.search(query, limit=len(ids), count=False)
            in_reader = {searcher.doc(a)["id"][0] for _, a in result.hits}
        hits = []
        for score, doc in found:
            item_id = doc["id"][0]
            lang = (doc.get_first("lang") or "")
            human = (doc.get_first("human") or "").split()
            if item_id not in in_reader or lang == request.lang:
                matched = "original"
            else:
                matched = "human" if request.lang in human else "machine"
            sort_key = float(score) if isinstance(score, float) else 0.0
            hits.append(Hit(item_id, sort_key, matched))
        return hits

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
            fields: dict[str, object] = {
                "id": d.item_id, "lang": d.language, "kind": d.kind, "source": str(d.source_id),
                "published": d.published, "year": d.year, "source_name": d.source_name,
                "sample": d.item_id % SAMPLE,
                "title_any": d.title, "body_any": d.body,
                "human": " ".join(lang for lang, (_, _, origin) in d.texts.items()
                                  if origin == "human"),
            }
            if d.topics:
                fields["topic"] = list(d.topics)
            for lang, (title, body, _) in d.texts.items():
                if lang in self.languages:
                    fields[f"title_{lang}"] = title
                    fields[f"body_{lang}"] = body
            self.writer.add_document(tantivy.Document(**fields))

    def delete(self, item_ids: Iterable[int]) -> None:
        for item_id in item_ids:
            self.writer.delete_documents_by_term("id", item_id)

    def commit(self) -> None:
        self.writer.commit()


class _Compiler:
    """Our query tree (query.py) as a tantivy query for one reader's language."""

    def __init__(self, engine: TantivyEngine, searcher: tantivy.Searcher, lang: str):
        self.engine = engine
        self.schema = engine.schema
        self.searcher = searcher
        self.lang = lang if lang in engine.languages else None
        self.fields = text_fields(self.lang, True)

    def compile(self, node, fields: list[tuple[str, float]] | None = None) -> Query:
        saved = self.fields
        if fields is not None:
            self.fields = fields
        try:
            return self._node(node)
        finally:
            self.fields = saved

    def _node(self, node) -> Query:
        if isinstance(node, Word | Phrase):
            return self._text(node)
        if isinstance(node, QFilter):
            return self._filter(node)
        if isinstance(node, Not):
            return Query.boolean_query([(Occur.Must, Query.all_query()),
                                        (Occur.MustNot, self._node(node.node))])
        if isinstance(node, All):
            if not node.nodes:
                return Query.all_query()
            parts = [(Occur.MustNot, self._node(n.node)) if isinstance(n, Not)
                     else (Occur.Must, self._node(n)) for n in node.nodes]
            if all(occur == Occur.MustNot for occur, _ in parts):
                parts.append((Occur.Must, Query.all_query()))
            return Query.boolean_query(parts)
        if isinstance(node, Any):
            return Query.boolean_query([(Occur.Should, self._node(n)) for n in node.nodes])
        raise TypeError(node)

    def _text(self, node: Word | Phrase) -> Query:
        fields = [(f, b) for f, b in self.fields if node.field is None or f.startswith(TITLE)]
        parts = []
        for field, boost in fields:
            lang = field.split("_", 1)[1]
            lang = None if lang == ORIGINAL else lang
            query = (self._prefix(field, node.text, lang) if isinstance(node, Word) and node.prefix
                     else self._words(field, node.text, lang))
            if query is not None:
                parts.append((Occur.Should, Query.boost_query(query, boost)))
        return Query.boolean_query(parts) if parts else Query.empty_query()

    def _words(self, field: str, text: str, lang: str | None) -> Query | None:
        """One word or a phrase in one field: a term, or the terms it analyses into —
        in order for a phrase or a compound ("covid-19"), all of them for Chinese; Han
        characters in the originals' fields as Chinese or as Japanese (analysis.py)."""
        options = []
        for pieces in readings(text, lang):
            terms = [t for piece in pieces for t in self.engine.analyze(piece, lang)]
            if len(terms) == 1:
                options.append(Query.term_query(self.schema, field, terms[0]))
            elif terms and is_unspaced(text):
                options.append(Query.boolean_query(
                    [(Occur.Must, Query.term_query(self.schema, field, t)) for t in terms]))
            elif terms:
                options.append(Query.phrase_query(self.schema, field, terms))
        if len(options) > 1:
            return Query.boolean_query([(Occur.Should, q) for q in options])
        return options[0] if options else None

    def _prefix(self, field: str, text: str, lang: str | None) -> Query | None:
        """The most frequent MAX_EXPANSION words of the field that begin like `text` (its
        stem, in a stemmed field: "trabajador*" begins where "trabajadores" is stored)."""
        terms = self.engine.analyze(text, lang) or self.engine.analyze(text, None)
        if not terms:
            return None
        found = self.searcher.terms_with_prefix(field, terms[0], limit=MAX_EXPANSION)
        if not found:
            return None
        return Query.term_set_query(self.schema, field, [t for t, _ in found])

    def _filter(self, node: QFilter) -> Query:
        name, value = node.name, node.value
        if name in ("before", "after"):
            lower, upper = (None, value) if name == "before" else (value, None)
            return Query.range_query(self.schema, "published", FieldType.Integer, lower, upper,
                                     include_lower=True, include_upper=name != "before")
        if name == "source" and not str(value).isdigit():
            words = WORD.findall(str(value))
            terms = [t for w in words for t in self.engine.analyze(w, None)]
            if not terms:
                return Query.empty_query()
            return Query.boolean_query(
                [(Occur.Must, Query.term_query(self.schema, "source_name", t)) for t in terms])
        return Query.term_query(self.schema, name, str(value))

