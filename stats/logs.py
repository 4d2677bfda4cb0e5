"""Web server access logs, line by line: the combined format (Apache's and nginx's
default) and the common format, plain or gzipped, streamed so that a log of any size is
read in constant memory. A line is either a `Hit` or the reason it was skipped."""

from __future__ import annotations

import calendar
import gzip
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from rabkor.stats.record import Hit

LINE = re.compile(
    r'(?P<host>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" '
    r'(?P<status>\d{3}) (?P<size>\d+|-)'
    r'(?: "(?P<referrer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)")?\s*\Z')
TIME = re.compile(r"(\d{2})/(\w{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\Z")
MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT",
                     "TRACE", "PROPFIND"))
LARGEST = 1 << 36  # 64 GiB: no page, asset or feed of a news site is larger
EARLIEST = calendar.timegm((1995, 1, 1, 0, 0, 0))  # before Apache's first release
FUTURE = 86400  # a clock a day ahead is a wrong clock, not a reader
# what a line of the common format, which has no user agent field, is keyed and classed by:
# an unknown agent (an empty agent field of the combined format is a robot's habit)
COMMON_FORMAT = "(common log format: no user agent)"


class Skipped(Exception):
    """A line that is not a request this log format describes, with the reason."""


def _seconds(stamp: str) -> int:
    found = TIME.match(stamp)
    if not found or found.group(2) not in MONTHS:
        raise Skipped("unreadable date")
    day, month, year, hour, minute, second, sign, tz_h, tz_m = found.groups()
    offset = (int(tz_h) * 3600 + int(tz_m) * 60) * (1 if sign == "+" else -1)
    try:
        return calendar.timegm((int(year), MONTHS[month], int(day), int(hour), int(minute),
                                int(second))) - offset
    except (ValueError, OverflowError):
        raise Skipped("unreadable date") from None


def _unescape(value: str | None) -> str:
    return (value or "").replace('\\"', '"').replace("\\\\", "\\")


def parse_line(raw: bytes, now: int) -> Hit:
    """One log line as a hit, or Skipped saying why."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Skipped("invalid UTF-8") from None
    found = LINE.match(line.rstrip("\r\n"))
    if not found:
        raise Skipped("not a combined or common log line")
    parts = found.group("request").split(" ")
    if len(parts) != 3 or parts[0] not in METHODS or not parts[2].startswith("HTTP/"):
        raise Skipped("not an HTTP request line")
    at = _seconds(found.group("time"))
    if at > now + FUTURE:
        raise Skipped("date in the future")
    if at < EARLIEST:
        raise Skipped("date before the web had logs like this")
    size = found.group("size")
    size = 0 if size == "-" else int(size)
    if size > LARGEST:
        raise Skipped("absurd size")
    path = parts[1].split("?", 1)[0].split("#", 1)[0]
    if path.startswith(("http://", "https://")):  # a proxy-style request line
        path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
    return Hit(at=at, method=parts[0], path=path or "/", status=int(found.group("status")),
               bytes=size, referrer=_unescape(found.group("referrer")),
               user_agent=(COMMON_FORMAT if found.group("agent") is None
                           else _unescape(found.group("agent"))),
               address=found.group("host"))


class LogFile:
    """A log opened for streaming, gzip known by its magic bytes; `position` is how far
    into the file on disk reading has gone (for a progress bar), `size` its length."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size
        self._raw: BinaryIO = path.open("rb")
        self.gzipped = self._raw.read(2) == b"\x1f\x8b"
        self._raw.seek(0)
        self._stream: BinaryIO = (gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[assignment]
                                  if self.gzipped else self._raw)

    @property
    def position(self) -> int:
        return self._raw.tell()

    def first_line(self) -> bytes:
        """The content's first line (decompressed), then back to the start."""
        data = self._stream.readline(65536)
        self._stream.seek(0)
        return data

    def lines(self) -> Iterator[bytes]:
        """Each line; a gzip stream cut off ends in EOFError, which the caller reports."""
        yield from self._stream

    def close(self) -> None:
        self._stream.close()
        self._raw.close()


def now() -> int:
    return int(time.time())
