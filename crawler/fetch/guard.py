"""The address guard's rule: fetches reach public addresses only, checked where the socket
connects (fetch/resolver.py for Scrapy, fetch/direct.py for httpx).

Named host:port pairs on loopback (settings.allowed_loopback) pass, for tests and the
demo; nothing broader. Plain functions, no Twisted: every fetcher shares them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from rabkor.core.errors import FetchError
from rabkor.core.text.urls import UrlError, parse_url


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


NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address in the last 32 bits
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local, its layout unknown
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d (:: and ::1 aside)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to, where it embeds one: IPv4-mapped
    (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4
    (2002:AABB:CCDD::) and Teredo (2001:0::/32, the client's address). A router or
    translator on the way turns such an address into that IPv4 one, so `64:ff9b::7f00:1`
    is 127.0.0.1 and must be refused as it would be."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def _range_name(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    for name in ("loopback", "link_local", "multicast", "private", "reserved", "unspecified"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    return "not public"
