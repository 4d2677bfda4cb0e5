"""The address guard's rule: fetches reach public addresses only, checked where the socket
connects (fetch/resolver.py for Scrapy, fetch/direct.py for httpx).

Named host:port pairs on loopback (settings.allowed_loopback) pass, for tests and the
demo; nothing broader. Plain functions, no Twisted: every fetcher shares them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from rabkor.core.errors import FetchError
from rabkor.core.text.urls import LOCAL_NAT64, UrlError, embedded_ipv4, parse_url


def check_url(url: str) -> str:
    """`url` as the one URL parser writes it (core/text/urls.py), what is then fetched;
    FetchError, in words, unless it is an absolute http(s) URL with a host."""
    try:
        return parse_url(url).url
    except UrlError as exc:
        raise FetchError(str(exc)) from None


def refusal(address: str, port: int, *, host: str = "",
            allowed_loopback: Iterable[str] = ()) -> str | None:
    """Why a connection to address:port must not be made, or None when it may."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"address {address} is not an IP address and refused"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64:
            return f"address {ip} is local-use NAT64 and refused"
        embedded = embedded_ipv4(ip)
        if embedded is not None:  # judged as the IPv4 address it reaches
            ip = embedded
    if ip.is_global and not ip.is_multicast:
        return None
    shown = f"[{ip}]" if ip.version == 6 else str(ip)
    if ip.is_loopback and {f"{shown}:{port}", f"{host}:{port}"} & set(allowed_loopback):
        return None
    return f"address {ip} is {_range_name(ip)} and refused"


def _range_name(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    for name in ("loopback", "link_local", "multicast", "private", "reserved", "unspecified"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    return "not public"
