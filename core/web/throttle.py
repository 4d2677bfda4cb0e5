"""Counts per account and per visitor in one web process, for the limits both web apps
set (failed logins in the editor, links sent through the site).

Counted by the `limits` library in moving windows, from settings such as "5/minute;20/
hour". The visitor is an HMAC of the client address under a key drawn when the process
starts, never the address itself, so no address is kept, and the key and the counts go
with the process. Several web processes each count on their own (a limit per process);
`limits` offers shared storages (Redis, Memcached) for that case.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Iterator

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from rabkor.core.errors import ConfigError
from rabkor.core.settings import Settings


class Throttle:
    """The counts under the limits of two settings: one per account, one per visitor."""

    def __init__(self, settings: Settings, account_setting: str, visitor_setting: str) -> None:
        self.account_limits = limits_of(settings, account_setting)
        self.visitor_limits = limits_of(settings, visitor_setting)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self._key = secrets.token_bytes(32)

    def visitor(self, address: str) -> str:
        """A short keyed hash standing for a client address, for counts and logs."""
        return hmac.new(self._key, address.encode(), hashlib.sha256).hexdigest()[:16]

    def _counts(self, account: str | None, visitor: str
                ) -> Iterator[tuple[RateLimitItem, str, str]]:
        if account is not None:
            yield from ((item, "account", account) for item in self.account_limits)
        yield from ((item, "visitor", visitor) for item in self.visitor_limits)

    def wait(self, account: str | None, visitor: str) -> int | None:
        """Seconds until either count allows one more; None: now."""
        now = time.time()
        waits = [self.limiter.get_window_stats(item, kind, key).reset_time - now
                 for item, kind, key in self._counts(account, visitor)
                 if not self.limiter.test(item, kind, key)]
        return max(1, math.ceil(max(waits))) if waits else None

    def hit(self, account: str | None, visitor: str) -> None:
        for item, kind, key in self._counts(account, visitor):
            self.limiter.hit(item, kind, key)

    def clear_account(self, account: str) -> None:
        for item in self.account_limits:
            self.limiter.clear(item, "account", account)


def limits_of(settings: Settings, name: str) -> list[RateLimitItem]:
    text = str(getattr(settings, name))
    try:
        items = parse_many(text)
    except ValueError as exc:
        raise ConfigError(f"setting {name!r}: cannot read {text!r} ({exc})") from None
    if not items:
        raise ConfigError(f"setting {name!r} names no limit")
    return items
