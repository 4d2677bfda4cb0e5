"""The query language readers and editors type, parsed once into a small tree that each
engine compiles (engines/): words, "phrases", -exclusion, OR, (grouping), field operators
(title:, source:, lang:, kind:, topic:, before:, after:) and prefixes (econom*).

The parser is ours, not an engine's, so that both engines read a query the same way and
a malformed query is explained in words before any engine runs: Whoosh's parser read an
open quotation mark as swallowing the rest of the query, tantivy's refuses `a:b`. Parsing
is one pass over at most MAX_LENGTH characters, and a query's size is bounded in words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from rabkor.core.errors import QueryError
from rabkor.core.store.kinds import MediaKind

MAX_LENGTH = 300
MAX_WORDS = 32  # words and phrases in one query: each costs a lookup per field
MIN_PREFIX = 3  # letters before * in scripts written with spaces; one Han or kana is enough
TEXT_FIELDS = ("title",)  # a word's field restriction; every other word searches all text
FILTERS = ("source", "lang", "kind", "topic", "before", "after")
KINDS = tuple(kind.value for kind in MediaKind)


@dataclass(frozen=True)
class Word:
    text: str
    field: str | None = None  # "title", or None for every text field
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Filter:
    """An exact condition: lang:es, kind:audio, topic:labour, source:…; dates as bounds."""

    name: str
    value: str | int


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class All:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Any:
    nodes: tuple[Node, ...]


Node = Word | Phrase | Filter | Not | All | Any

_TOKEN = re.compile(r'''\s*(?:(?P<open>\()|(?P<close>\))|(?P<neg>-)?(?:(?P<field>[a-z]+):)?
                        (?:"(?P<phrase>[^"]*)"|(?P<word>[^\s()"]+)))''', re.VERBOSE)
_HAN_OR_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def check_query(q: str) -> str:
    """The query with spaces tidied, or a QueryError saying what to change."""
    text = " ".join(q.split())
    if not text:
        raise QueryError("Type a word or a phrase to search for.")
    if len(text) > MAX_LENGTH:
        raise QueryError(f"This search is {len(text)} characters long; the limit is "
                         f"{MAX_LENGTH}. Use fewer words.")
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co") for c in text):
        raise QueryError("This search contains a character that cannot be searched for.")
    if text.count('"') % 2:
        raise QueryError('A quotation mark (") is not closed. Close the phrase or remove it.')
    depth = 0
    for char in re.sub(r'"[^"]*"', " ", text):  # brackets inside a phrase are its words
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError("A closing parenthesis has no opening one. Remove it.")
    if depth:
        raise QueryError("A parenthesis is not closed. Close it or remove it.")
    return text


def parse(q: str) -> Node:
    """The tree of a query; a QueryError (with what to change) when it has no meaning."""
    text = check_query(q)
    tokens = _tokens(text)
    if sum(isinstance(t, Word | Phrase) for t in tokens) > MAX_WORDS:
        raise QueryError(f"This search has more than {MAX_WORDS} words. Use fewer words.")
    node, rest = _disjunction(tokens)
    assert not rest  # parentheses are balanced (check_query)
    if not _positive(node):
        raise QueryError("A search needs at least one word or condition that is not "
                         "excluded with -, as in strike -football.")
    return node


def _tokens(text: str) -> list:
    """Words, phrases, filters, negations and the OR/AND keywords and parentheses."""
    tokens: list = []
    position = 0
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:  # only spaces remain
            break
        position = found.end()
        if found["open"]:
            tokens.append("(")
            continue
        if found["close"]:
            tokens.append(")")
            continue
        field, phrase, word = found["field"], found["phrase"], found["word"]
        if field and field not in TEXT_FIELDS + FILTERS:  # not an operator: words (a URL, a time)
            word = f"{field}:{word}" if word is not None else None
            phrase = f"{field} {phrase}" if phrase is not None else None
            field = None
        if word is not None and not found["neg"] and not field and word in ("OR", "AND"):
            tokens.append(word)
            continue
        if word is not None and not field and word == "NOT":
            tokens.append("NOT")
            continue
        if field in FILTERS:
            node: Node = _filter(field, phrase if phrase is not None else word)
        elif phrase is not None:
            if not phrase.strip():
                continue
            node = Phrase(phrase.strip(), field)
        else:
            node = _word(word, field)
            if node is None:
                continue
        tokens.append(Not(node) if found["neg"] else node)
    return tokens


def _word(word: str, field: str | None) -> Word | None:
    prefix = word.endswith("*")
    literal = word.rstrip("*")
    if "*" in literal:
        raise QueryError(f"“{word}”: * stands only at the end of a word, as in econom*.")
    if not any(c.isalnum() for c in literal):
        if prefix:
            raise QueryError(f"“{word}”: a search cannot start with *. Put at least "
                             f"{MIN_PREFIX} letters before it, as in econom*.")
        return None  # punctuation alone: nothing to look for
    if prefix and len(literal) < MIN_PREFIX and not _HAN_OR_KANA.search(literal):
        raise QueryError(f"“{word}”: put at least {MIN_PREFIX} letters before *, "
                         "as in econom*.")
    return Word(literal, field, prefix)


def _filter(name: str, value: str | None) -> Filter:
    value = (value or "").strip()
    if not value:
        raise QueryError(f"“{name}:” needs a value, as in {_EXAMPLES[name]}.")
    if name == "kind":
        value = value.lower()
        if value not in KINDS:
            raise QueryError(f"“kind:{value}”: the kinds are {', '.join(KINDS)}.")
    elif name == "lang":
        value = value.lower()
        if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)?", value):
            raise QueryError(f"“lang:{value}”: give a language code, as in lang:es.")
    elif name in ("before", "after"):
        return Filter(name, _date_bound(name, value))
    elif name == "topic":
        value = value.lower()
    return Filter(name, value)


_EXAMPLES = {"source": "source:guardian", "lang": "lang:es", "kind": "kind:audio",
             "topic": "topic:housing", "before": "before:2024-06-01", "after": "after:2023"}


def _date_bound(name: str, value: str) -> int:
    """Seconds since 1970 (UTC): after: the start of the day, month or year given;
    before: its start too, so before:2024 means up to the end of 2023."""
    for pattern in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            moment = datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
        return int(moment.timestamp())
    raise QueryError(f"“{name}:{value}”: write the date as 2024, 2024-06 or 2024-06-01.")


def _disjunction(tokens: list) -> tuple[Node, list]:
    parts = []
    node, tokens = _conjunction(tokens)
    parts.append(node)
    while tokens and tokens[0] == "OR":
        node, tokens = _conjunction(tokens[1:])
        parts.append(node)
    parts = [p for p in parts if p is not None]
    if not parts:
        return All(()), tokens
    return (parts[0] if len(parts) == 1 else Any(tuple(parts))), tokens


def _conjunction(tokens: list) -> tuple[Node | None, list]:
    parts: list[Node] = []
    negate = False
    while tokens and tokens[0] not in ("OR", ")"):
        head, tokens = tokens[0], tokens[1:]
        if head == "AND":
            continue
        if head == "NOT":
            negate = True
            continue
        if head == "(":
            head, tokens = _disjunction(tokens)
            tokens = tokens[1:]  # the closing parenthesis
            if head == All(()):
                continue
        parts.append(Not(head) if negate else head)
        negate = False
    if not parts:
        return None, tokens
    return (parts[0] if len(parts) == 1 else All(tuple(parts))), tokens


def _positive(node: Node) -> bool:
    """Whether the query asks for something, not only for what to leave out."""
    if isinstance(node, Not):
        return False
    if isinstance(node, All):
        return any(_positive(n) for n in node.nodes)
    if isinstance(node, Any):
        return bool(node.nodes) and all(_positive(n) for n in node.nodes)
    return True


def words_of(node: Node) -> list[Word | Phrase]:
    """The words and phrases a query looks for (not the excluded ones): for highlighting
    and for suggestions."""
    if isinstance(node, Word | Phrase):
        return [node]
    if isinstance(node, All | Any):
        return [w for n in node.nodes for w in words_of(n)]
    return []
