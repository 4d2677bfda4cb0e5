"""Outside HTML made safe, and HTML made text: one allow-list for storing and for showing.

The crawler cleans what it stores with `clean_html`; the web pages clean it again when
they show it (`safe_markup`), with the same policy, so what reaches a reader or an
editor never depends on how old a stored text is or which path wrote it. nh3 (Rust) is
the pass that counts: feedparser sanitizes too, but it lets through `javascript:`
written with character references and SVG `xlink:href`. Cleaning stored HTML again
costs little (nh3 does a 50 KB article in about a millisecond) and changes nothing.

Showing adds one rule to the policy: an image makes every reader's browser fetch its
address, so `<img src>` is shown only as `remote_resource` has it (https, plain http
upgraded, never an intranet address or a local name: `http://10.0.0.1/x.png` would have
each reader's browser probe their own network); the stored text keeps what the source
wrote.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Any

import nh3
from markupsafe import Markup

from rabkor.core.text.chars import printable
from rabkor.core.text.urls import WEB_SCHEMES, remote_resource, safe_url

ALLOWED_TAGS = {
    "p", "a", "em", "strong", "b", "i", "ul", "ol", "li", "blockquote",
    "h2", "h3", "h4", "h5", "h6", "img", "br", "pre", "code",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
# Dropped with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
}

# Where one block of text ends and the next begins: these become a line break (or a
# space in one-line text), so "<p>a</p><p>b</p>" reads "a b", not "ab".
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr|pre)\s*>")
_SPACES = re.compile(r"\s+")

# Bounds that keep every input linear for the parsers: html5ever (inside nh3) costs the
# square of the nesting depth ("<div>" * 40,000: 12 s), and so does feedparser's loose
# parser on a broken feed. Elements deeper than `MAX_DEPTH`, and tags past the first
# `MAX_TAGS`, are dropped (their text stays) before a parser sees the markup. No article
# nests 100 deep.
MAX_DEPTH = 100
MAX_TAGS = 100_000
# possessive: a tag's name and attributes are read once (half the time of the lazy form)
_TOKEN = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<(/?)([A-Za-z_][\w.:-]*+)([^<>]*+)>",
                    re.DOTALL)
# HTML elements that never hold content, or whose unclosed start ends at the next of
# its kind: they add no depth
_FLAT = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "rt", "rp",
})


def bounded(markup: str, *, xml: bool = False, max_tags: int = MAX_TAGS) -> str:
    """`markup` with the elements nested deeper than `MAX_DEPTH` and the tags past
    `max_tags` dropped, in one pass (CDATA sections and comments are left alone); markup
    within the bounds (nearly all) comes back as it is. An end tag closes the innermost
    open element of its name, as parsers do, so structure outside the deep part stays.
    `xml`: every element has an end tag (no HTML element is flat)."""
    if markup.count("<") <= MAX_DEPTH:
        return markup
    flat = frozenset() if xml else _FLAT
    kept: list[str] = []
    open_names: list[str] = []
    last = tags = 0
    for token in _TOKEN.finditer(markup):
        name = token.group(2)
        if name is None:  # CDATA or a comment
            continue
        tags += 1
        if not xml:  # XML names are case-sensitive; HTML's are not
            name = name.lower()
        if tags > max_tags:
            drop = True
        elif token.group(3).endswith("/") or name in flat:
            drop = False
        elif token.group(1):  # an end tag: kept if it closes an element that was kept
            drop = False
            if open_names and open_names[-1] == name:  # nearly every end tag
                open_names.pop()
            elif name in open_names:
                del open_names[len(open_names) - 1 - open_names[::-1].index(name):]
            else:
                drop = True
        else:
            drop = len(open_names) >= MAX_DEPTH
            if not drop:
                open_names.append(name)
        if drop:
            kept.append(markup[last:token.start()])
            last = token.end()
    if not kept:
        return markup
    kept.append(markup[last:])
    return "".join(kept)


_text_only = nh3.Cleaner(tags=set(), clean_content_tags=DROPPED_WITH_CONTENT, attributes={})


_POLICY: dict[str, Any] = {
    "tags": ALLOWED_TAGS, "clean_content_tags": DROPPED_WITH_CONTENT,
    "attributes": ALLOWED_ATTRIBUTES, "url_schemes": WEB_SCHEMES,
    "link_rel": "noopener noreferrer nofollow", "strip_comments": True,
}


@functools.lru_cache(maxsize=256)
def _cleaner(base: str | None) -> nh3.Cleaner:
    """The allow-list; relative links are resolved against `base`, or dropped without one."""
    return nh3.Cleaner(**_POLICY, url_relative=("rewrite_with_base", base) if base else "deny")


def _shown_attribute(element: str, attribute: str, value: str) -> str | None:
    """Images from the public web over https only; every other attribute as it is."""
    return remote_resource(value) if (element, attribute) == ("img", "src") else value


_display_cleaner = nh3.Cleaner(**_POLICY, url_relative="deny", attribute_filter=_shown_attribute)


def clean_html(value: str | None, limit: int | None = None, base: str | None = None) -> str:
    """Allow-listed HTML; the input is cut to `limit` first so a huge body costs little.

    `base`: the URL relative links are resolved against (only an http(s) one is used).
    """
    if not value:
        return ""
    return _cleaner(safe_url(base)).clean(bounded(printable(value[:limit], lines=True))).strip()


def safe_markup(value: str | None) -> Markup:
    """Stored HTML as a page shows it: cleaned by the same allow-list, images kept only
    from public https addresses (`remote_resource`), then marked safe."""
    if not value:
        return Markup("")
    return Markup(_display_cleaner.clean(bounded(printable(value, lines=True))).strip())


def plain_text(value: str | None, limit: int | None = None) -> str:
    """One line of text: no tags or entities, no controls or bidirectional overrides
    (core/text/chars.py), blocks and whitespace one space, at most `limit` characters.
    Markup escaped once (`&lt;script&gt;`) is removed too: this is for titles, names and
    search documents, where a tag is never meant as text."""
    if not value:
        return ""
    cut = value[: limit * 8] if limit else value  # room for markup
    if "<" not in cut and "&" not in cut:  # text already (most translations): nothing to parse
        text = cut
    else:
        text = html.unescape(_text_only.clean(bounded(_BLOCK_END.sub(" ", cut))))
        if "<" in text:
            text = html.unescape(_text_only.clean(text))
    text = " ".join(printable(text).split())  # str.split's whitespace is re's \s
    return text[:limit] if limit else text


def paragraphs(value: str) -> str:
    """Text with one paragraph a line (blocks end lines), for translation and post-editing.

    Unlike `plain_text`, an escaped `&lt;tag&gt;` stays as the text the author wrote."""
    text = html.unescape(_text_only.clean(bounded(_BLOCK_END.sub("\n", value))))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def text_to_html(value: str | None, limit: int | None = None) -> str:
    """Plain text escaped so it shows as written."""
    return html.escape(value[:limit]).strip() if value else ""
