"""An article page's main text, as allow-listed HTML: trafilatura extracts it (paragraphs,
headings, lists, quotes, links), the shared sanitizer cleans it. For the full text of
summary-only feed items (fetch/pages.py), for the pages of sitemap sources and for
correspondents' submitted links (crawler/submissions), which also read the page's
metadata.

trafilatura is imported only when a page is extracted (4 MB and 50 ms measured, which a
crawl that fetches no page is spared).
"""

from __future__ import annotations

from dataclasses import dataclass

from rabkor.core.errors import RabkorError
from rabkor.core.text.html import clean_html, plain_text
from rabkor.crawler.parse.clean import MAX_CONTENT

NOTHING_FOUND = "no article text found on the page"
# trafilatura's HTML as the allow-list knows it: h1 is the page's title, not a heading in it,
# and a table's rows become paragraphs (the allow-list has no tables).
RENAMED = {"h1": "h2", "b": "strong", "i": "em", "table": "div", "tbody": "div",
           "thead": "div", "tr": "p", "td": "span", "th": "span"}


class ExtractionError(RabkorError):
    """A page's text could not be extracted within the parse worker's bounds."""


def extract(html: str | bytes, url: str) -> str:
    """The page's main text as allow-listed HTML; "" when trafilatura finds no article.

    The crawl runs it in a parse worker (crawler/parse/pool.py), bounded in time and
    memory and one extraction a process: trafilatura shares module-level lxml parsers,
    which lxml does not allow between threads (extractions in parallel threads crashed the
    process now and then: a segfault or a double free in about 1 run in 12)."""
    import lxml.etree
    import lxml.html
    import trafilatura

    found = trafilatura.extract(html, url=url, output_format="html", include_links=True,
                                include_formatting=True, include_comments=False)
    if not found:
        return ""
    root = lxml.html.fromstring(found)
    for element in root.iter(*RENAMED):
        if element.tag in ("td", "th"):  # cells would run together once unwrapped
            element.tail = " " + (element.tail or "")
        element.tag = RENAMED[element.tag]
    body = lxml.etree.tostring(root, encoding="unicode", method="html")
    return clean_html(body, MAX_CONTENT)


def adds_text(content: str, known_text: str) -> bool:
    """Whether the page's text says more than what is known already (the feed's summary,
    a page's description): a menu alone does not."""
    return len(plain_text(content, MAX_CONTENT)) > len(plain_text(known_text, MAX_CONTENT))


@dataclass(frozen=True)
class PageMeta:
    """What trafilatura reads about a page besides its text (each "" when it finds none)."""

    title: str = ""
    author: str = ""
    date: str = ""  # YYYY-MM-DD
    image: str = ""
    description: str = ""
    sitename: str = ""


def page_metadata(html: str | bytes, url: str) -> PageMeta:
    """The page's title, author, date, image and description as trafilatura finds them
    (its JSON-LD, OpenGraph and meta tags, then the markup); in a parse worker, as
    `extract`."""
    from trafilatura.metadata import extract_metadata

    found = extract_metadata(html, default_url=url)
    if found is None:
        return PageMeta()
    return PageMeta(*(str(getattr(found, name) or "") for name in
                      ("title", "author", "date", "image", "description", "sitename")))
