"""What a new item needs computed from its own words: language and SimHash.

Both cost CPU (lingua about 1 ms, SimHash about 0.5 ms an item) and depend on the draft
alone, so big crawls compute them in the parse workers (crawler/parse/pool.py) and carry
them on the draft; the crawler process only stores. Drafts without an analysis (small
crawls parsed in-process, sitemaps) are analysed in store/items.py, and only when they turn
out to be new; an item whose full text arrives later is analysed again from it
(crawler/store/pages.py).
"""

from __future__ import annotations

from dataclasses import replace

from rabkor.core.text.html import plain_text
from rabkor.crawler.analyse import dedupe
from rabkor.crawler.analyse.language import identify_draft
from rabkor.crawler.draft import Analysis, DraftItem, ParsedFeed


def analyse(draft: DraftItem) -> Analysis:
    """The draft's language (with lingua's confidence) and SimHash."""
    text = plain_text(draft.content or draft.summary, dedupe.MAX_CHARS)
    found = identify_draft(draft, text)
    return Analysis(found.language, found.confidence, dedupe.simhash(f"{draft.title}\n{text}"))


def analysis_of(draft: DraftItem) -> Analysis:
    """The analysis the draft carries, else computed now."""
    return draft.analysis if draft.analysis is not None else analyse(draft)


def analysed(feed: ParsedFeed) -> ParsedFeed:
    """The feed with every draft analysed."""
    return replace(feed, items=[replace(d, analysis=analyse(d)) for d in feed.items])
