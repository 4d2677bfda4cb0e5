"""Our query tree (query.py) as an engine's query, written once: the walk over the tree,
which fields a word is looked for in and with what weight, how a word is analysed (its
readings, its terms, its prefix's expansion) and what each filter means. An engine
subclasses `Compiler` with the primitives its query objects are built from."""

from __future__ import annotations

from rabkor.search.analysis import WORD, is_unspaced, readings
from rabkor.search.engine import MAX_EXPANSION
from rabkor.search.query import All, Any, Filter, Node, Not, Phrase, Word
from rabkor.search.weights import ORIGINAL, TITLE, text_fields


class Compiler:
    """Compiles for one reader's language; `fields` narrows a compile to some fields (the
    reader's alone, to tell where a hit matched)."""

    def __init__(self, engine, lang: str):
        self.analyze = engine.analyze
        self.lang = lang if lang in engine.languages else None
        self.fields = text_fields(self.lang, True)

    def compile(self, node: Node, fields: list[tuple[str, float]] | None = None):
        saved = self.fields
        if fields is not None:
            self.fields = fields
        try:
            return self._node(node)
        finally:
            self.fields = saved

    # the primitives an engine provides

    def term(self, field: str, text: str):
        raise NotImplementedError

    def terms(self, field: str, texts: list[str]):
        """Any of these words."""
        raise NotImplementedError

    def phrase(self, field: str, texts: list[str]):
        raise NotImplementedError

    def all_of(self, must: list, must_not: tuple | list = ()):
        raise NotImplementedError

    def any_of(self, queries: list):
        raise NotImplementedError

    def everything(self):
        raise NotImplementedError

    def nothing(self):
        raise NotImplementedError

    def boost(self, query, weight: float):
        raise NotImplementedError

    def published(self, lower: int | None, below: int | None):
        """Published at `lower` or later and before `below` (seconds since 1970)."""
        raise NotImplementedError

    def prefixed(self, field: str, prefix: str, limit: int) -> list[str]:
        """The `limit` most frequent words of `field` that begin with `prefix`."""
        raise NotImplementedError

    # the tree

    def _node(self, node: Node):
        if isinstance(node, Word | Phrase):
            return self._text(node)
        if isinstance(node, Filter):
            return self._filter(node)
        if isinstance(node, Not):
            return self.all_of([self.everything()], [self._node(node.node)])
        if isinstance(node, All):
            if not node.nodes:
                return self.everything()
            must = [self._node(n) for n in node.nodes if not isinstance(n, Not)]
            must_not = [self._node(n.node) for n in node.nodes if isinstance(n, Not)]
            return self.all_of(must or [self.everything()], must_not)
        if isinstance(node, Any):
            return self.any_of([self._node(n) for n in node.nodes])
        raise TypeError(node)

    def _text(self, node: Word | Phrase):
        parts = []
        for field, weight in self.fields:
            if node.field is not None and not field.startswith(TITLE):
                continue
            lang = field.split("_", 1)[1]
            lang = None if lang == ORIGINAL else lang
            query = (self._prefix(field, node.text, lang) if isinstance(node, Word) and node.prefix
                     else self._words(field, node.text, lang))
            if query is not None:
                parts.append(self.boost(query, weight))
        return self.any_of(parts) if parts else self.nothing()

    def _words(self, field: str, text: str, lang: str | None):
        """One word or a phrase in one field: a term, or the terms it analyses into —
        in order for a phrase or a compound ("covid-19"), all of them for Chinese; Han
        characters in the originals' fields as Chinese or as Japanese (analysis.py)."""
        options = []
        for pieces in readings(text, lang):
            terms = [t for piece in pieces for t in self.analyze(piece, lang)]
            if len(terms) == 1:
                options.append(self.term(field, terms[0]))
            elif terms and is_unspaced(text):
                options.append(self.all_of([self.term(field, t) for t in terms]))
            elif terms:
                options.append(self.phrase(field, terms))
        if len(options) > 1:
            return self.any_of(options)
        return options[0] if options else None

    def _prefix(self, field: str, text: str, lang: str | None):
        """The most frequent MAX_EXPANSION words of the field that begin like `text` (its
        stem, in a stemmed field: "trabajador*" begins where "trabajadores" is stored)."""
        terms = self.analyze(text, lang) or self.analyze(text, None)
        words = self.prefixed(field, terms[0], MAX_EXPANSION) if terms else []
        return self.terms(field, words) if words else None

    def _filter(self, node: Filter):
        name, value = node.name, node.value
        if name == "before":
            return self.published(None, int(value))
        if name == "after":
            return self.published(int(value), None)
        if name == "source" and not str(value).isdigit():  # a name, not a facet link's id
            terms = [t for w in WORD.findall(str(value)) for t in self.analyze(w, None)]
            return (self.all_of([self.term("source_name", t) for t in terms]) if terms
                    else self.nothing())
        return self.term(name, str(value))
