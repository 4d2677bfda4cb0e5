"""The address guard in Scrapy: a name resolver that hands Twisted only allowed addresses.

Twisted connects to exactly the addresses its name resolver returns, so a resolver that
drops non-public ones (fetch/guard.py's rule) covers redirects, DNS names that point at
127.0.0.1 and DNS rebinding alike. IP literals go through the resolver too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import (
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer

from rabkor.crawler.fetch.guard import refusal

logger = logging.getLogger(__name__)

ALLOWED_LOOPBACK_SETTING = "RABKOR_ALLOWED_LOOPBACK"


@implementer(IResolutionReceiver)
class _FilteringReceiver:
    """Passes on the allowed addresses and remembers why the others were refused."""

    def __init__(self, guard: GuardedResolver, receiver: IResolutionReceiver,
                 host: str, port: int) -> None:
        self.guard, self.receiver, self.host, self.port = guard, receiver, host, port

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IPv4Address | IPv6Address) -> None:
        reason = refusal(address.host, self.port, host=self.host,
                         allowed_loopback=self.guard.allowed_loopback)
        if reason is None:
            self.receiver.addressResolved(address)
        else:
            logger.info("fetch refused host=%s port=%s reason=%s", self.host, self.port,
                        reason)
            self.guard.refused[self.host] = reason

    def resolutionComplete(self) -> None:
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver:
    """Wraps the reactor's name resolver; installed by Scrapy through TWISTED_DNS_RESOLVER."""

    def __init__(self, reactor, allowed_loopback: Sequence[str]) -> None:
        self.reactor = reactor
        self.allowed_loopback = tuple(allowed_loopback)
        self.refused: dict[str, str] = {}
        self._inner: IHostnameResolver = reactor.nameResolver

    @classmethod
    def from_crawler(cls, crawler, reactor) -> GuardedResolver:
        return cls(reactor, crawler.settings.getlist(ALLOWED_LOOPBACK_SETTING))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(self, resolutionReceiver, hostName, portNumber=0,
                        addressTypes=None, transportSemantics="TCP") -> IHostResolution:
        receiver = _FilteringReceiver(self, resolutionReceiver, hostName, portNumber)
        return self._inner.resolveHostName(receiver, hostName, portNumber, addressTypes,
                                           transportSemantics)

    def refusal_for(self, host: str) -> str | None:
        """The reason the last connection to `host` was refused, if it was."""
        return self.refused.get(host)
