"""Failed logins are limited per account and per visitor, so guessing costs the guesser.

Counted by the `limits` library (moving windows, `login_limits_account` and
`login_limits_visitor`: 5 a minute and 20 an hour per username, 10 and 50 per visitor by
default). Only failures count. While either count is used up, every try — the right
password too — is answered 429 with Retry-After and the password is not even checked,
so a guesser gets no answer and no argon2 work out of the server; a success clears the
account's count.

The account is the username as typed (case-folded), whether such an account exists or
not, so the answer tells nothing about which exist. The counting, and the visitor as a
keyed hash of the address, are core/web/throttle.py's, shared with the site's limits on
submitted links.
"""

from __future__ import annotations

from rabkor.core.settings import Settings
from rabkor.core.web.throttle import Throttle

MAX_NAME = 100


class LoginThrottle(Throttle):
    """The failure counts of one web process."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, "login_limits_account", "login_limits_visitor")

    @staticmethod
    def _account(username: str) -> str:
        return username.strip().casefold()[:MAX_NAME]

    def retry_after(self, username: str, visitor: str) -> int | None:
        """Seconds until this username may be tried from this visitor again; None: now."""
        return self.wait(self._account(username), visitor)

    def failed(self, username: str, visitor: str) -> None:
        self.hit(self._account(username), visitor)

    def succeeded(self, username: str, visitor: str) -> None:
        """A right password ends the account's count (not the visitor's: one visitor
        spraying many accounts stays limited)."""
        self.clear_account(self._account(username))
