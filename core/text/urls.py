"""Web addresses from outside: one parser and normaliser for every path that checks, stores
or fetches one, so that what is checked is what is fetched.

The parsers on the way disagree about odd URLs: `http://evil.example\\@good.example/` is
host good.example to urllib (and to Scrapy, which uses it) but evil.example to httpx and
to browsers, `http://0177.0.0.1/` is 127.0.0.1 to a browser (an octal IPv4 number) and
an error to httpx. So every URL is read once, here, the way the URL Standard (WHATWG)
reads http(s) URLs — backslashes are slashes, tabs and newlines vanish, IPv4 hosts in
any number form become dotted decimal, credentials are split off — and written back in
one unambiguous form that every later parser reads the same way. Anything this cannot
read is a `UrlError` that says why, never a traceback.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote, urlsplit

MAX_URL = 2048
WEB_SCHEMES = {"http", "https"}
DEFAULT_PORTS = {"http": 80, "https": 443}

_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_EDGE = "".join(map(chr, range(0x21)))  # C0 controls and space, stripped at both ends
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# what the URL Standard forbids in a host, and what no host name holds anyway
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")
_PORT = re.compile(r"\d{1,5}")
# escaped in a path or query (the URL Standard's percent-encode sets); the rest, letters of
# any script included, stays as it is, as feeds and stored items have them
_UNSAFE_PATH = re.compile(r'[\x00-\x20"<>`{}^\x7f]')
_UNSAFE_QUERY = re.compile(r"[\x00-\x20\"'<>\x7f]")


class UrlError(ValueError):
    """Not an absolute http(s) URL that can be fetched; the message says why."""


class MissingHost(UrlError):
    """An http(s) URL without a host (`https://`): the site's name is what is missing."""


@dataclass(frozen=True)
class WebUrl:
    """An http(s) URL as read by `parse_url`: its parts, normalised."""

    scheme: str
    host: str  # lower case; an IPv4 address dotted, an IPv6 one in brackets
    port: int | None  # None: the scheme's default
    path: str
    query: str
    username: str = ""
    password: str = ""

    @property
    def url(self) -> str:
        """The URL without credentials and fragment: what is stored, shown and fetched."""
        port = f":{self.port}" if self.port is not None else ""
        query = f"?{self.query}" if self.query else ""
        return f"{self.scheme}://{self.host}{port}{self.path}{query}"

    @property
    def credentials(self) -> tuple[str, str] | None:
        """(user, password) for HTTP basic auth, when the URL carried them."""
        return (self.username, self.password) if self.username or self.password else None


def parse_url(value: str | None) -> WebUrl:
    """Read an absolute http(s) URL the way the URL Standard does; UrlError if it is not one."""
    text = _TAB_OR_NEWLINE.sub("", (value or "").strip(_EDGE))
    if not text:
        raise UrlError("an empty URL")
    if len(text) > MAX_URL:
        raise UrlError(f"a URL longer than {MAX_URL} characters")
    scheme_match = _SCHEME.match(text)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    if not scheme:
        raise UrlError(f"not an absolute URL (it names no http:// or https://): {value!r}"
                       [:300])
    if scheme not in WEB_SCHEMES:
        raise UrlError(f"only http and https URLs are fetched, not {scheme}:")
    # as for every special scheme, any number of slashes (or backslashes) may follow
    rest = text[scheme_match.end():].replace("\\", "/").lstrip("/")  # type: ignore[union-attr]
    end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0),
              default=len(rest))
    authority, rest = rest[:end], rest[end:]
    userinfo, _, hostport = authority.rpartition("@")
    username, _, password = userinfo.partition(":")
    host, port = _host_and_port(hostport, scheme)
    rest = rest.split("#", 1)[0]
    path, _, query = rest.partition("?")
    return WebUrl(scheme, host, port, _path(path), _escape(_UNSAFE_QUERY, query),
                  unquote(username), unquote(password))


def _escape(unsafe: re.Pattern[str], text: str) -> str:
    return unsafe.sub(lambda m: quote(m.group(), safe=""), text)


def _host_and_port(hostport: str, scheme: str) -> tuple[str, int | None]:
    port_text = ""
    if hostport.startswith("["):
        literal, bracket, after = hostport[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            raise UrlError(f"a malformed IPv6 address: {hostport!r}"[:300])
        try:
            host = f"[{ipaddress.IPv6Address(literal).compressed}]"
        except ValueError:
            raise UrlError(f"not an IPv6 address: {literal!r}"[:300]) from None
        port_text = after[1:]
    else:
        name, colon, port_text = hostport.partition(":")
        if colon and not port_text:
            port_text = ""
        host = _host_name(name)
    port = None
    if port_text:
        if not _PORT.fullmatch(port_text) or int(port_text) > 65535:
            raise UrlError(f"not a port number: {port_text!r}"[:300])
        port = int(port_text)
        if port == DEFAULT_PORTS[scheme]:
            port = None
    return host, port


def _host_name(name: str) -> str:
    name = unquote(name).lower()
    if not name:
        raise MissingHost("a URL without a host")
    if _FORBIDDEN_HOST.search(name):
        raise UrlError(f"a host name with characters no host has: {name!r}"[:300])
    ipv4 = _ipv4(name)
    if ipv4 is not None:
        return ipv4
    try:
        name.encode("idna")
    except UnicodeError:
        raise UrlError(f"not a valid host name: {name!r}"[:300]) from None
    return name


# compiled once: the search page's highlighting fills re's own cache, and this pattern,
# asked twice for every link shown, was compiled again each time (70 µs)
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]*|\d+")


def _ipv4(name: str) -> str | None:
    """A host whose last label is a number is an IPv4 address, in any of the forms the URL
    Standard reads (0177.0.0.1, 0x7f.1, 2130706433): dotted decimal, or UrlError."""
    labels = name.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    if not _NUMBER.fullmatch(labels[-1]):
        return None
    if len(labels) > 4:
        raise UrlError(f"not an IPv4 address: {name!r}"[:300])
    numbers = []
    for label in labels:
        try:
            if label[:2].lower() == "0x":
                numbers.append(int(label[2:] or "0", 16))
            elif len(label) > 1 and label.startswith("0"):
                numbers.append(int(label, 8))
            else:
                numbers.append(int(label, 10))
        except ValueError:
            raise UrlError(f"not an IPv4 address: {name!r}"[:300]) from None
    last = numbers.pop()
    if any(n > 255 for n in numbers) or last >= 256 ** (4 - len(numbers)):
        raise UrlError(f"not an IPv4 address: {name!r}"[:300])
    value = last
    for index, number in enumerate(numbers):
        value += number << (8 * (3 - index))
    return str(ipaddress.IPv4Address(value))


def _path(path: str) -> str:
    """The path with dot segments resolved and unsafe characters escaped; "/" when empty."""
    if not path:
        return "/"
    segments = path.split("/")
    if any(segment in (".", "..") or segment.lower() in ("%2e", ".%2e", "%2e.", "%2e%2e")
           for segment in segments):
        trailing = segments[-1] in (".", "..")
        path = posixpath.normpath(path.replace("%2e", ".").replace("%2E", "."))
        path = path.replace("//", "/") + ("/" if trailing and path != "/" else "")
    return _escape(_UNSAFE_PATH, path)


_USERINFO = re.compile(r"(?<=//)[^/?#@]*@")


def redacted(value: str) -> str:
    """A URL as typed, for an error message: any user and password in it replaced."""
    return _USERINFO.sub("…@", value.strip())


def safe_url(value: str | None) -> str | None:
    """The URL as `parse_url` writes it (no credentials, no fragment), or None when it is
    not an absolute http(s) URL: other schemes never pass."""
    try:
        return parse_url(value).url
    except UrlError:
        return None


def is_web_url(value: str | None) -> bool:
    """Whether a link may be shown: an absolute http(s) URL (never `javascript:` and the like)."""
    return safe_url(value) is not None


# Names that reach the reader's own machine or network, never the public web: RFC 6761
# (localhost), 6762 (.local, mDNS), 8375 (.home.arpa), ICANN's .internal, and the suffixes
# routers and company networks commonly use. A name without a dot is one too (a search
# domain completes `http://intranet/`).
LOCAL_SUFFIXES = ("localhost", "local", "internal", "home.arpa", "localdomain", "lan", "home",
                  "corp", "intranet", "private")
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address in the last 32 bits
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local, its layout unknown
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d (:: and ::1 aside)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to, where it embeds one: IPv4-mapped
    (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4
    (2002:AABB:CCDD::) and Teredo (2001:0::/32, the client's address). A router or
    translator on the way turns such an address into that IPv4 one, so `64:ff9b::7f00:1`
    is 127.0.0.1: the crawler's address guard and the pages' image rule both judge it so."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public_host(host: str) -> bool:
    """Whether a host, as `parse_url` writes it, is on the public internet as far as its
    name says: an IP literal in a global range, or a dotted name outside the local suffixes.
    A DNS name that resolves to a private address cannot be told from here."""
    literal = host[1:-1] if host.startswith("[") else host
    try:
        ip = ipaddress.ip_address(literal)
    except ValueError:
        name = host.rstrip(".")
        return "." in name and not any(name == s or name.endswith(f".{s}")
                                       for s in LOCAL_SUFFIXES)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64:
            return False
        ip = embedded_ipv4(ip) or ip
    return ip.is_global and not ip.is_multicast


def remote_resource(value: str | None) -> str | None:
    """The URL a page may make its reader's browser fetch (an image, a poster, an audio or
    video file): https — plain http is upgraded, as browsers upgrade mixed content on an
    https page —, on a public host; None for anything else (an intranet address, a local
    name, another scheme). The web apps' Content-Security-Policy allows https: only."""
    try:
        url = parse_url(value)
    except UrlError:
        return None
    if not is_public_host(url.host):
        return None
    if url.scheme == "https":
        return url.url
    if url.port is not None:
        return None  # http on a port of its own: no https there to upgrade to
    return replace(url, scheme="https").url


def host_and_parents(url: str | None, *, stored: bool = False) -> list[str]:
    """The link's host without "www." and every domain above it, nearest first
    ("a.b.org" → ["a.b.org", "b.org", "org"]): what a blocked domain is matched against.
    An unreadable link has none. `stored`: a URL as the store keeps it, which `parse_url`
    already wrote (lower-case, IDNA), so the standard library's split is enough — a
    twentieth of the cost, for the rules that read every item."""
    try:
        host = (urlsplit(url or "").hostname or "" if stored
                else parse_url(url or "").host).removeprefix("www.")
    except (UrlError, ValueError):
        return []
    found = []
    while host:
        found.append(host)
        host = host.partition(".")[2]
    return found
