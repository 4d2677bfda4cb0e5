"""What a parse worker runs (crawler/parse/pool.py): parse a feed and analyse its drafts,
within the time and memory its pool gives it.

Its own module, importing only what parsing and analysis need, so a spawned worker does
not load Scrapy, the store or the rest of the crawler.
"""

from __future__ import annotations

import resource
import signal

from rabkor.core.errors import FeedParseError
from rabkor.crawler.analyse.analysis import analysed
from rabkor.crawler.draft import ParsedFeed
from rabkor.crawler.parse.feed import parse_feed

_limits = {"seconds": 0, "memory": 0}


class ParseTimeout(Exception):
    """The alarm of a feed whose parse went past its time."""


def _alarm(signum: int, frame: object) -> None:
    raise ParseTimeout


def bounded_worker(seconds: int, memory: int) -> None:
    """The pool's initializer: every feed gets `seconds`, the process `memory` bytes."""
    _limits.update(seconds=seconds, memory=memory)
    signal.signal(signal.SIGALRM, _alarm)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, hard))


def parse_and_analyse(body: bytes, *, url: str, content_type: str,
                      source_language: str | None) -> ParsedFeed:
    signal.alarm(_limits["seconds"])
    try:
        return analysed(parse_feed(body, url=url, content_type=content_type,
                                   source_language=source_language))
    except ParseTimeout:
        raise FeedParseError(f"parsing the feed took more than {_limits['seconds']} s"
                             ) from None
    except MemoryError:
        raise FeedParseError(f"parsing the feed needed more than "
                             f"{_limits['memory'] // 2**20} MB") from None
    finally:
        signal.alarm(0)
