"""Failed logins are limited per account and per visitor, so guessing costs the guesser.

Counted by the `limits` library (moving windows, `login_limits_account` and
`login_limits_visitor`: 5 a minute and 20 an hour per username, 10 and 50 per visitor by
default). Only failures count. While either count is used up, every try — the right
password too — is answered 429 with Retry-After and the password is not even checked,
so a guesser gets no answer and no argon2 work out of the server; a success clears the
account's count.

The account is the username as typed (case-folded), whether such an account exists or
not, so the answer tells nothing about which exist. The visitor is an HMAC of the client
address under a key drawn when the process starts, never the address itself, so no
address is kept, and the key and the counts go with the process.

The counts live in memory: right for the one web process of `rabkor run`. Several web
processes would each count on their own (a limit per process); `limits` offers shared
storages (Redis, Memcached, MongoDB) for that case.
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

MAX_NAME = 100


def _limits(settings: Settings, name: str) -> list[RateLimitItem]:
    text = str(getattr(settings, name))
    try:
        items = parse_many(text)
    except ValueError as exc:
        raise ConfigError(f"setting {name!r}: cannot read {text!r} ({exc})") from None
    if not items:
        raise ConfigError(f"setting {name!r} names no limit")
    return items


class LoginThrottle:
    """The failure counts of one web process."""

    def __init__(self, settings: Settings) -> None:
        self.account_limits = _limits(settings, "login_limits_account")
        self.visitor_limits = _limits(settings, "login_limits_visitor")
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self._key = secrets.token_bytes(32)

    def visitor(self, address: str) -> str:
        """A short keyed hash standing for a client address, for counts and logs."""
        return hmac.new(self._key, address.encode(), hashlib.sha256).hexdigest()[:16]

    def _counts(self, username: str, visitor: str) -> Iterator[tuple[RateLimitItem, str, str]]:
        account = username.strip().casefold()[:MAX_NAME]
        for item in self.account_limits:
            yield item, "account", account
        for item in self.visitor_limits:
            yield item, "visitor", visitor

    def retry_after(self, username: str, visitor: str) -> int | None:
        """Seconds until this username may be tried from this visitor again; None: now."""
        now = time.time()
        waits = [self.limiter.get_window_stats(item, kind, key).reset_time - now
                 for item, kind, key in self._counts(username, visitor)
                 if not self.limiter.test(item, kind, key)]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, username: str, visitor: str) -> None:
        for item, kind, key in self._counts(username, visitor):
            self.limiter.hit(item, kind, key)

    def succeeded(self, username: str, visitor: str) -> None:
        """A right password ends the account's count (not the visitor's: one visitor
        spraying many accounts stays limited)."""
        for item, kind, key in self._counts(username, visitor):
            if kind == "account":
                self.limiter.clear(item, kind, key)
