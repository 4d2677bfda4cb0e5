"""A page that keeps trafilatura busy: a real article (tests/data/pages) followed by half a
megabyte of short paragraphs of formatted words, which trafilatura 2.x reads in a time
that grows with the square of their length (200 KB of them 1.7 s of CPU, 400 KB 8.5 s,
600 KB 23 s, measured here): tens of seconds, well inside the crawl's 1 MB body bound."""

from __future__ import annotations

import gzip
from pathlib import Path

ARTICLE = Path(__file__).parents[1] / "data" / "pages" / "articles" / "lemonde-1.html.gz"
PARAGRAPH = ("<p>" + "<em>grève</em> <b>port</b> " * 3 + "</p>").encode()


def busy_page(extra: int = 500_000) -> bytes:
    html = gzip.decompress(ARTICLE.read_bytes())
    head, _, tail = html.partition(b"</body>")
    return head + PARAGRAPH * (extra // len(PARAGRAPH)) + b"</body>" + tail
