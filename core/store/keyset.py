"""Keyset paging for every listing that pages by its order (the site's listings, the
desk's queue): a cursor is a row's place in the order — its sort values, ending with its
id — so a page starts where the last one stopped, with no OFFSET walking every earlier
row, and no row skipped or shown twice when rows arrive or leave while someone pages.

A cursor is text for a URL: the values, moments as UTC digits, joined by "." and in
URL-safe base64. Reading one checks every value; whatever this code did not write is a
BadCursor, never a database error.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, or_

MAX_LENGTH = 200  # characters of a cursor read at all
_MOMENT = "%Y%m%d%H%M%S%f"
Value = datetime | int


class BadCursor(ValueError):
    """A cursor this code did not write (edited by hand, cut short, or of another order)."""


def write_cursor(*values: Value) -> str:
    raw = ".".join((v.astimezone(UTC) if v.tzinfo else v).strftime(_MOMENT)
                   if isinstance(v, datetime) else str(v) for v in values)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read_cursor(cursor: str, kinds: Sequence[type]) -> tuple[Value, ...]:
    """The values of `cursor`, one of each of `kinds` (datetime or int, in order)."""
    try:
        if len(cursor) > MAX_LENGTH:
            raise ValueError(cursor)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        parts = raw.split(".")
        if len(parts) != len(kinds):
            raise ValueError(raw)
        return tuple(_value(part, kind) for part, kind in zip(parts, kinds, strict=True))
    except (ValueError, UnicodeDecodeError):
        raise BadCursor(cursor[:40]) from None


def _value(text: str, kind: type) -> Value:
    if kind is datetime:
        return datetime.strptime(text, _MOMENT).replace(tzinfo=UTC)
    if not text.isdigit() or int(text) >= 2**63:  # the database's integers
        raise ValueError(text)
    return int(text)


def beyond(keys: Sequence[tuple[ColumnElement, bool]], values: Sequence[object]
           ) -> ColumnElement[bool]:
    """The rows after `values` in the order of `keys` ((expression, descending) pairs,
    the last one unique): the first key past its value, or equal and the next past, …
    The first key's own bound is said again on its own: SQLite finds the index range in
    it, not in the alternatives, whose values are separate parameters to it."""
    alternatives = []
    for n, (key, descending) in enumerate(keys):
        equal = [k == v for (k, _d), v in zip(keys[:n], values[:n], strict=True)]
        alternatives.append(and_(*equal, key < values[n] if descending else key > values[n]))
    first, descending = keys[0]
    return and_(first <= values[0] if descending else first >= values[0], or_(*alternatives))
