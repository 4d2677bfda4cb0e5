"""HTML bodies translated with their structure intact and their sentences whole.

The HTML is parsed (lxml) and cut into blocks: the text of a paragraph, list item,
heading, cell or caption with its inline markup (links, emphasis, images…) up to the next
block element or `<br>`. Each block goes to the engine as one text, its inline elements
as placeholders (⟦1⟧general strike⟦/1⟧, ⟦#2⟧ for an image or inline code: see
placeholders.py), so that sentences are translated whole: cut at an inline tag or a
number, "By 15 March 2020" came back as "Por 15 March 2020", "March" translated alone
(2.7 BLEU lost on HTML en→es, bench/translate/quality.py). The translation is put back
only when every placeholder came back once and properly nested; the elements are then
rebuilt around the translated words, with their tags and attributes as they were. When
the engine broke a placeholder, that block falls back to translating each of its runs
on its own (a second, batched round: `fallback`), which cannot lose markup whatever the
model does. URLs and e-mail addresses are kept verbatim; `code`, `pre`, `kbd`, `samp`,
`var`, `script` and `style` are never translated. Reader-facing attribute text — `alt`,
`title`, `aria-label` — is translated too, each value as its own text.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from rabkor.translate.placeholders import closing, has_words, opening, parse, single

_KEEP = frozenset({"code", "pre", "kbd", "samp", "script", "style", "var"})
_INLINE = frozenset({
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "data", "del", "dfn", "em",
    "font", "i", "ins", "label", "mark", "nobr", "q", "s", "small", "span", "strike",
    "strong", "sub", "sup", "time", "tt", "u",
})
_VOID = frozenset({"img", "wbr"})  # inline and empty: a placeholder of its own
_BREAK = frozenset({"br"})  # ends a block's text like a block element
ATTRIBUTES = ("alt", "title", "aria-label")
# URLs and e-mail addresses are kept verbatim; everything between them is translated.
_PROTECTED = re.compile(
    r"(?:https?://|ftp://|www\.)\S+[^\s.,;:!?)\]»”'\"]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
# what the run-by-run fallback keeps out of the engine: the above and numbers
_PROTECTED_RUN = re.compile(_PROTECTED.pattern + r"|[-+]?\d[\d.,:/]*\d%?|[-+]?\d%?")
_HAS_WORD = re.compile(r"\w", re.UNICODE)


@dataclass
class _Block:
    """A block's text: where it starts, its inline elements, its placeholder text."""

    parent: etree._Element
    after: etree._Element | None  # the block child (or <br>) it follows; None: parent.text
    children: list[etree._Element]  # top-level inline elements, in order
    text: str = ""  # with placeholders, stripped
    lead: str = ""  # whitespace around `text`, kept verbatim
    trail: str = ""
    elements: dict[int, etree._Element] = field(default_factory=dict)  # id → element
    paired: set[int] = field(default_factory=set)
    single: set[int] = field(default_factory=set)
    verbatim: dict[int, str] = field(default_factory=dict)  # protected text spans


class HtmlDocument:
    """An HTML fragment whose blocks and attribute values are `texts()`; `render()` puts
    their translations back, `fallback()` names what a broken block needs instead."""

    def __init__(self, markup: str) -> None:
        self._root = lxml.html.fragment_fromstring(markup or "", create_parent="div")
        self._blocks: list[_Block] = []
        self._attributes: list[tuple[etree._Element, str]] = []
        self._collect(self._root)
        self._broken: list[int] = []  # blocks whose placeholders the engine broke

    def texts(self) -> list[str]:
        return [b.text for b in self._blocks] + [el.get(a).strip() for el, a in self._attributes]

    def fallback(self, translations: list[str]) -> list[str]:
        """The runs of every block whose translation lost or garbled its placeholders."""
        self._check_count(translations)
        self._broken = [i for i, (b, t) in enumerate(zip(self._blocks, translations,
                                                         strict=False))
                        if parse(t, b.paired, b.single) is None]
        return [text for i in self._broken for text in _runs(self._blocks[i])]

    def render(self, translations: list[str], fallback: list[str] | None = None) -> str:
        self._check_count(translations)
        blocks, attributes = (translations[:len(self._blocks)],
                              translations[len(self._blocks):])
        for (element, name), value in zip(self._attributes, attributes, strict=True):
            element.set(name, value)
        broken = set(self._broken if fallback is not None else ())
        given = iter(fallback or [])
        for i in sorted(broken):
            for target, attr, pieces in _pieces(self._blocks[i]):
                setattr(target, attr, "".join(p if p is not None else next(given)
                                              for p in pieces))
        for i, (block, text) in enumerate(zip(self._blocks, blocks, strict=True)):
            if i in broken:
                continue
            tree = parse(text, block.paired, block.single)
            if tree is None:
                raise ValueError("the engine broke the inline markup of a block: "
                                 f"{block.text[:80]!r}")
            _rebuild(block, tree)
        return (self._root.text or "") + "".join(
            etree.tostring(child, encoding="unicode", method="html") for child in self._root)

    def _check_count(self, translations: list[str]) -> None:
        expected = len(self._blocks) + len(self._attributes)
        if len(translations) != expected:
            raise ValueError(f"{len(translations)} translations for {expected} runs")

    # ---- reading the tree ----

    def _collect(self, element: etree._Element) -> None:
        """Blocks of `element`'s own content, then of its block children, in order."""
        self._attribute_texts(element)
        if element.tag in _KEEP:
            return
        group: list[etree._Element] = []
        after: etree._Element | None = None
        for child in element:
            if not isinstance(child.tag, str):  # a comment or processing instruction
                group.append(child)
                continue
            if _is_inline(child):
                group.append(child)
                self._inline_attributes(child)
                continue
            self._block(element, after, group)
            group, after = [], child
            if child.tag not in _BREAK:
                self._collect(child)
        self._block(element, after, group)

    def _attribute_texts(self, element: etree._Element) -> None:
        for name in ATTRIBUTES:
            value = element.get(name) if isinstance(element.tag, str) else None
            if value and any(ch.isalpha() for ch in value):
                self._attributes.append((element, name))

    def _inline_attributes(self, element: etree._Element) -> None:
        self._attribute_texts(element)
        if element.tag not in _KEEP:
            for child in element:
                self._inline_attributes(child)

    def _block(self, parent: etree._Element, after: etree._Element | None,
               children: list[etree._Element]) -> None:
        block = _Block(parent, after, list(children))
        parts = [_protect(block, _text_of(parent, after))]
        for child in children:
            parts.append(_placeholder_text(block, child))
            parts.append(_protect(block, child.tail or ""))
        whole = "".join(parts)
        core = whole.strip()
        if not has_words(core):
            return
        block.text = core
        block.lead = whole[:len(whole) - len(whole.lstrip())]
        block.trail = whole[len(whole.rstrip()):]
        self._blocks.append(block)


def _is_inline(element: etree._Element) -> bool:
    """An inline element holding only inline content (an `<a>` around a `<div>` is a block)."""
    tag = element.tag
    if tag in _VOID or tag in _KEEP - {"pre", "script", "style"}:
        return True
    return tag in _INLINE and all(
        not isinstance(d.tag, str) or d.tag in _INLINE or d.tag in _VOID
        or d.tag in _KEEP - {"pre", "script", "style"} for d in element.iterdescendants())


def _text_of(parent: etree._Element, after: etree._Element | None) -> str:
    return (parent.text if after is None else after.tail) or ""


def _placeholder_text(block: _Block, element: etree._Element) -> str:
    """`element` and its content with placeholders for every element and protected span."""
    n = len(block.elements) + 1
    block.elements[n] = element
    if not isinstance(element.tag, str) or element.tag in _VOID or element.tag in _KEEP:
        block.single.add(n)
        return single(n)
    block.paired.add(n)
    parts = [opening(n), _protect(block, element.text or "")]
    for child in element:
        parts.append(_placeholder_text(block, child))
        parts.append(_protect(block, child.tail or ""))
    parts.append(closing(n))
    return "".join(parts)


def _protect(block: _Block, text: str) -> str:
    """URLs and e-mail addresses as placeholders of their own."""
    def keep(match: re.Match) -> str:
        n = len(block.elements) + 1
        block.elements[n] = block.parent  # stands for a span of text, not an element
        block.single.add(n)
        block.verbatim[n] = match.group()
        return single(n)
    return _PROTECTED.sub(keep, text)


# ---- writing the tree back ----


def _rebuild(block: _Block, tree: list) -> None:
    """Replace the block's text and inline elements with the translated tree."""
    parent = block.parent
    for child in block.children:
        parent.remove(child)
    position = 0 if block.after is None else parent.index(block.after) + 1
    text = block.lead  # the block's leading text; the rest lives in its elements' tails
    previous: etree._Element | None = None
    for node in _materialise(block, tree):
        if isinstance(node, str):
            if previous is None:
                text += node
            else:
                previous.tail = (previous.tail or "") + node
            continue
        parent.insert(position, node)
        position += 1
        previous = node
    if previous is None:
        text += block.trail
    else:
        previous.tail = (previous.tail or "") + block.trail
    if block.after is None:
        parent.text = text
    else:
        block.after.tail = text


def _materialise(block: _Block, tree: list) -> list:
    """Strings and new elements (copies of the originals) for a parsed placeholder tree."""
    out: list = []
    for node in tree:
        if isinstance(node, str):
            out.append(node)
            continue
        n, children = node
        if n in block.verbatim:
            out.append(block.verbatim[n])
            continue
        original = block.elements[n]
        if n in block.single:  # an image, inline code, a comment: as it was, without its tail
            kept = copy.deepcopy(original)
            kept.tail = None
            out.append(kept)
            continue
        element = original.makeelement(original.tag, original.attrib)
        last: etree._Element | None = None
        for piece in _materialise(block, children):
            if isinstance(piece, str):
                if last is None:
                    element.text = (element.text or "") + piece
                else:
                    last.tail = (last.tail or "") + piece
            else:
                element.append(piece)
                last = piece
        out.append(element)
    # adjacent strings (a verbatim URL between two words) are joined
    joined: list = []
    for piece in out:
        if isinstance(piece, str) and joined and isinstance(joined[-1], str):
            joined[-1] += piece
        else:
            joined.append(piece)
    return joined


# ---- the run-by-run fallback ----


def _pieces(block: _Block) -> list[tuple[etree._Element, str, list[str | None]]]:
    """(element, "text" or "tail", pieces) for every run of the block: None marks a piece
    to translate, strings are kept verbatim (whitespace, URLs, numbers)."""
    slots: list[tuple[etree._Element, str, list[str | None]]] = []

    def slot(element: etree._Element, attr: str) -> None:
        value = getattr(element, attr)
        if value and _HAS_WORD.search(value):
            slots.append((element, attr, [None if kind == "text" else p
                                          for kind, p in split_protected(value)]))

    def walk(element: etree._Element) -> None:
        if not isinstance(element.tag, str) or element.tag in _KEEP or element.tag in _VOID:
            return
        slot(element, "text")
        for child in element:
            walk(child)
            slot(child, "tail")

    if block.after is None:
        slot(block.parent, "text")
    else:
        slot(block.after, "tail")
    for child in block.children:
        walk(child)
        slot(child, "tail")
    return slots


def _runs(block: _Block) -> list[str]:
    """The texts to translate for a block's fallback, in the order `_pieces` fills them."""
    return [p for element, attr, _ in _pieces(block)
            for kind, p in split_protected(getattr(element, attr)) if kind == "text"]


def split_protected(run: str) -> list[tuple[str, str]]:
    """("text", words to translate) and ("keep", verbatim) pieces that join back to `run`.

    Whitespace around translatable words is kept verbatim too, so spacing against the
    surrounding markup survives whatever the engine does with it.
    """
    pieces: list[tuple[str, str]] = []
    start = 0
    for match in _PROTECTED_RUN.finditer(run):
        pieces += _words(run[start:match.start()])
        pieces.append(("keep", match.group()))
        start = match.end()
    pieces += _words(run[start:])
    return pieces


def _words(chunk: str) -> list[tuple[str, str]]:
    core = chunk.strip()
    if not _HAS_WORD.search(core):
        return [("keep", chunk)] if chunk else []
    lead = chunk[:len(chunk) - len(chunk.lstrip())]
    trail = chunk[len(chunk.rstrip()):]
    return [p for p in (("keep", lead), ("text", core), ("keep", trail)) if p[1]]
