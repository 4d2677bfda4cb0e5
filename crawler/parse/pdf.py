"""A PDF's title, text, author, date and language, read with pypdf (pure Python, so the
parse worker's alarm stops it: crawler/parse/pool.py runs it there, bounded in time and
memory like a feed's parse; pypdf itself caps each decompressed stream).

Only the first `MAX_PAGES` pages are read, and no more than `MAX_CONTENT` characters of
text: a report's beginning says what it is. A PDF locked with a password, and a scan
without a text layer, are told as such; anything else pypdf cannot read is "not a PDF
that can be read", with pypdf's reason.
"""

from __future__ import annotations

import html
import io
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from rabkor.core.text.html import plain_text
from rabkor.crawler.parse.clean import MAX_CONTENT, MAX_SHORT, MAX_TITLE

MAX_PAGES = 50
# what PDF writers put in /Title when the document had none
NO_TITLE = re.compile(r"^(about:blank|untitled(\s.*)?|document\d*|microsoft \w+ - .*)$",
                      re.IGNORECASE)
_language = re.compile(r"^([a-z]{2,3})(?:-|$)")
_paragraph_end = (".", "!", "?", ":", "»", '"', "”", "…")
# pypdf logs each oddity of a broken file as a warning: the error read_pdf raises says enough
logging.getLogger("pypdf").setLevel(logging.ERROR)


class PdfError(Exception):
    """Why no text can be had from a PDF, in words a correspondent understands."""


@dataclass(frozen=True)
class PdfText:
    """What a PDF says of itself ("" or None where it says nothing); `content` is HTML,
    one paragraph a <p>."""

    title: str
    content: str
    author: str | None
    published_at: datetime | None
    language: str | None
    pages: int


def read_pdf(body: bytes) -> PdfText:
    """The PDF's text and metadata; PdfError when it is locked, a scan or unreadable."""
    from pypdf import PdfReader  # only the worker that reads a PDF pays for pypdf

    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted and not reader.decrypt(""):  # "" opens owner-only locks
            raise PdfError("the PDF is locked with a password")
        pages, text = _text(reader)
        if not any(text):
            raise PdfError("the PDF has no text layer (a scan?): nothing to read")
        meta = reader.metadata or {}  # {}: the PDF has no document information
        named = _named(meta.get("/Title"))
        return PdfText(
            title=named or _first_line(text),
            content=_html(_without_title(text, named) if named else text),
            author=plain_text(str(meta.get("/Author") or ""), MAX_SHORT) or None,
            published_at=_date(meta), language=_lang(reader), pages=pages)
    except (PdfError, MemoryError):  # the worker tells a MemoryError in its own words
        raise
    except Exception as exc:  # pypdf's errors, and what a hostile file makes of its code
        raise PdfError(f"not a PDF that can be read ({type(exc).__name__}: {exc})"[:300]
                       ) from None


def _text(reader) -> tuple[int, list[str]]:
    """How many pages the PDF has, and the lines of text of its first MAX_PAGES."""
    lines: list[str] = []
    size = 0
    for page in reader.pages[:MAX_PAGES]:
        for line in page.extract_text().splitlines():
            lines.append(line.strip())
            size += len(line)
        lines.append("")  # a page ends a paragraph
        if size > MAX_CONTENT:
            break
    return len(reader.pages), lines


def _html(lines: list[str]) -> str:
    """Lines as paragraphs: a PDF keeps no paragraphs, only lines, so a paragraph ends at
    a blank line or at a short line that ends a sentence."""
    longest = max((len(line) for line in lines), default=0)
    found, current = [], []
    for line in lines:
        if line:
            current.append(line)
        if current and (not line or (line.endswith(_paragraph_end)
                                     and len(line) < longest * 0.8)):
            found.append(f"<p>{html.escape(plain_text(' '.join(current)))}</p>")
            current = []
    return "\n".join(found)[:MAX_CONTENT]


def _named(title: object) -> str:
    """The PDF's own title, unless a writer's placeholder."""
    named = plain_text(str(title or ""), MAX_TITLE)
    return "" if NO_TITLE.match(named) else named


def _first_line(lines: list[str]) -> str:
    return next((plain_text(line, MAX_TITLE) for line in lines if line.strip()), "")


def _without_title(lines: list[str], title: str) -> list[str]:
    """The lines without the title they begin with (a heading the item shows already),
    when they do."""
    said = ""
    for n, line in enumerate(lines[:10]):
        said = f"{said} {line}".strip()
        if plain_text(said) == title:
            return lines[n + 1:]
        if not title.startswith(plain_text(said)):
            break
    return lines


def _date(meta) -> datetime | None:
    try:
        when = getattr(meta, "creation_date", None)
    except Exception:  # a date pypdf cannot read is no date
        return None
    return when if when is None or when.tzinfo else when.replace(tzinfo=UTC)


def _lang(reader) -> str | None:
    """The document's language from its catalog (/Lang, as Chromium writes it)."""
    found = _language.match(str(reader.trailer["/Root"].get("/Lang") or "").lower())
    return found.group(1) if found else None
