"""What a parse worker runs (crawler/parse/pool.py): parse a feed and analyse its drafts.

Its own module, importing only what parsing and analysis need, so a spawned worker does
not load Scrapy, the store or the rest of the crawler.
"""

from __future__ import annotations

from rabkor.crawler.analyse.analysis import analysed
from rabkor.crawler.draft import ParsedFeed
from rabkor.crawler.parse.feed import parse_feed


def parse_and_analyse(body: bytes, *, url: str, content_type: str,
                      source_language: str | None) -> ParsedFeed:
    return analysed(parse_feed(body, url=url, content_type=content_type,
                               source_language=source_language))
