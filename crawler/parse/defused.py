"""XML from outside, defused before any parser sees it: no DTD and no entity declarations
(defusedxml's rule), nesting bounded.

feedparser keeps the internal entities of a feed's DOCTYPE that look harmless (plain
text), and its fallback parser expands them: one 100 KB entity used 10,000 times in a
130 KB feed cost 34 s and 3 GB. A feed needs no DTD — feedparser knows the HTML entities
that RSS 0.91's DTD declares — so the DOCTYPE (with its internal subset) and any entity
declaration before the root element are cut out, in one linear pass; an entity then used
is an undefined one, which feedparser reads as text. Elements nested deeper than 100
(`MAX_DEPTH` of core/text/html.py) are dropped too (their text stays): feedparser's
loose parser, which reads a broken feed, is quadratic in the depth (a 1 MB feed of items
each opening 2,000 `<div>`s took 9 s, 2.6 times the time of half of it; now 1 s).
"""

from __future__ import annotations

import re

from rabkor.core.text.html import bounded

MAX_FEED_TAGS = 1_000_000  # tags in one feed document (10 MB of feed holds far fewer)

_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
# possessive (*+, ++): what is matched is never given back, so a declaration that never
# ends fails in one pass too
_QUOTED = rb"\"[^\"]*+\"|'[^']*+'"
_REST = re.compile(rb"(?:%s|[^\"'\[>]++)*+(?:\[(?:%s|<!--.*?-->|<(?!!--)|[^\"'\]<]++)*+\]\s*+)?>"
                   % (_QUOTED, _QUOTED), re.DOTALL)


class UnterminatedDoctype(ValueError):
    """A DOCTYPE or entity declaration that never ends: no feed, and no parser's business."""


def defused(body: bytes) -> bytes:
    """A feed's UTF-8 body without its DTD, its nesting bounded."""
    text = without_dtd(body).decode("utf-8", "surrogateescape")
    return bounded(text, xml=True, max_tags=MAX_FEED_TAGS).encode("utf-8", "surrogateescape")


def without_dtd(body: bytes) -> bytes:
    """`body` without the DOCTYPE and entity declarations of its prolog."""
    root = _FIRST_ELEMENT.search(body)
    end_of_prolog = root.start() if root else len(body)
    if not _DECLARATION.search(body, 0, end_of_prolog):
        return body
    kept, position = [], 0
    while (found := _DECLARATION.search(body, position, end_of_prolog)) is not None:
        kept.append(body[position:found.start()])
        position = _declaration_end(body, found.end())
        root = _FIRST_ELEMENT.search(body, position)
        end_of_prolog = root.start() if root else len(body)
    kept.append(body[position:])
    return b"".join(kept)


def _declaration_end(body: bytes, start: int) -> int:
    """Where the declaration that opens before `start` ends: the `>` outside quotes, an
    internal subset (with its comments) and quotes in it: one regex match, linear."""
    found = _REST.match(body, start)
    if found is None:
        raise UnterminatedDoctype("a DOCTYPE or entity declaration that never ends")
    return found.end()
