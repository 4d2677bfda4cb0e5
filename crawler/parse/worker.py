"""What a parse worker runs (crawler/parse/pool.py): parse a feed and analyse its drafts,
or read a submitted link (a PDF, a page), within the time and memory its pool gives it.

Its own module, importing only what parsing and analysis need, so a spawned worker does
not load Scrapy, the store or the rest of the crawler.
"""

from __future__ import annotations

import logging
import resource
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rabkor.core.errors import FeedParseError
from rabkor.crawler.analyse.analysis import analysed
from rabkor.crawler.draft import ParsedFeed
from rabkor.crawler.parse.feed import parse_feed

logger = logging.getLogger(__name__)
T = TypeVar("T")
_limits = {"seconds": 0, "memory": 0}


class ParseTimeout(BaseException):
    """The alarm of a parse that went past its time; not an Exception, so that no
    `except Exception` in a parser (pypdf has many) takes it for the file's fault."""


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
    with _bounded(FeedParseError, "parsing the feed"):
        return analysed(parse_feed(body, url=url, content_type=content_type,
                                   source_language=source_language))


def read_bounded(work: Callable[..., T], args: tuple, error: type[Exception],
                 what: str) -> T:
    """ParsePool.read's side: `work` is the caller's (crawler/submissions), imported here
    when it first comes, so a crawl's feed workers never load it. Any other exception
    comes back as `error` in words: lxml's own (whose error log cannot be pickled back)
    would otherwise reach the caller as a TypeError, not as this link's reason."""
    with _bounded(error, f"reading {what}"):
        try:
            return work(*args)
        except (error, MemoryError):
            raise
        except Exception as exc:
            logger.exception("reading %s failed", what)
            raise error(f"reading {what} failed ({type(exc).__name__}: {exc})"[:500]) from None


@contextmanager
def _bounded(error: type[Exception], what: str) -> Iterator[None]:
    """The work inside within the worker's time, past it or its memory `error` in words."""
    signal.alarm(_limits["seconds"])
    try:
        yield
    except ParseTimeout:
        raise error(f"{what} took more than {_limits['seconds']} s") from None
    except MemoryError:
        raise error(f"{what} needed more than {_limits['memory'] // 2**20} MB") from None
    finally:
        signal.alarm(0)
