"""One URL parser: it reads every http(s) URL as the URL Standard's reference implementation
does (its answers, recorded in tests/data/urls, are the expectations), so what is checked
is what is fetched."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from rabkor.core.text.urls import UrlError, is_public_host, parse_url, remote_resource, safe_url

CASES = json.loads((Path(__file__).parents[1] / "data" / "urls" / "whatwg-url.json")
                   .read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["input"][:40] for c in CASES])
def test_reads_each_url_as_the_url_standard_does(case):
    if case.get("failure"):
        with pytest.raises(UrlError):
            parse_url(case["input"])
        return
    url = parse_url(case["input"])
    # Rabkor keeps letters of any script as they are (feeds and stored items have them);
    # the standard escapes them, and puts host names in punycode: compare in its form
    assert url.host.encode("idna").decode() == case["hostname"] or \
        url.host == case["hostname"]
    assert url.scheme + ":" == case["protocol"]
    assert str(url.port or "") == case["port"]
    assert quote(url.path, safe="".join(map(chr, range(0x21, 0x7f)))) == case["pathname"]
    assert (f"?{quote(url.query, safe=''.join(map(chr, range(0x21, 0x7f))))}"
            if url.query else "") == (case["search"] if case["search"] != "?" else "")
    assert (url.username, url.password) == (unquote(case["username"]),
                                            unquote(case["password"]))


def test_credentials_are_kept_apart_from_the_url():
    url = parse_url("http://reader:s3cret@feeds.example.org/private.xml")
    assert url.url == "http://feeds.example.org/private.xml"
    assert url.credentials == ("reader", "s3cret")
    assert "s3cret" not in safe_url("http://reader:s3cret@feeds.example.org/x")


@pytest.mark.parametrize(("bad", "message"), [
    ("ftp://e.org/x", "only http and https URLs are fetched, not ftp:"),
    ("/relative", "not an absolute URL"),
    ("http://", "a URL without a host"),
    ("http://e.org:99999/", "not a port number"),
    ("http://300.1.1.1/", "not an IPv4 address"),
    ("http://" + "a" * 3000 + ".org/", "longer than 2048"),
])
def test_what_cannot_be_read_says_why(bad, message):
    with pytest.raises(UrlError, match=message):
        parse_url(bad)


@pytest.mark.parametrize("address", [
    "http://10.0.0.1/intranet.png", "https://10.0.0.1/x.png", "http://0x0a000001/x.png",
    "https://0177.0.0.1/x.png", "https://[::1]/x", "https://[::ffff:192.168.1.1]/x",
    "https://[64:ff9b::a00:1]/x", "https://[2002:c0a8:101::]/x", "https://[fe80::1]/x",
    "https://[2001:db8::1]/x", "http://169.254.169.254/latest", "https://100.64.0.1/x",
    "https://224.0.0.1/x", "http://intranet/x.png", "https://printer.local/x",
    "https://nas.home.arpa/x", "https://a.localhost/x", "https://db.internal./x",
    "http://example.org:8080/x", "javascript:alert(1)", "data:image/png;base64,AAAA", "",
])
def test_remote_resources_never_reach_a_readers_own_network(address):
    assert remote_resource(address) is None


def test_remote_resources_are_https_plain_http_upgraded():
    assert remote_resource("http://www.heise.de/a.jpg") == "https://www.heise.de/a.jpg"
    assert remote_resource("HTTP://Cdn.Example.org:80/a b.png") == \
        "https://cdn.example.org/a%20b.png"
    assert remote_resource("https://example.org:8443/a") == "https://example.org:8443/a"
    assert remote_resource("https://8.8.8.8/x") == "https://8.8.8.8/x"
    assert remote_resource("https://[2606:4700::1111]/x") == "https://[2606:4700::1111]/x"
    assert is_public_host("news.example.org") and not is_public_host("localhost")


def test_a_hosts_domains_read_the_same_from_a_stored_url_as_from_a_typed_one():
    from rabkor.core.text.urls import host_and_parents, parse_url

    for typed in ("https://www.News.Spam.EXAMPLE:8080/a?b=c", "http://bücher.example/x",
                  "https://user:pw@a.b.c.org/", "http://192.0.2.7/feed"):
        stored = parse_url(typed).url  # as the crawler keeps it
        assert host_and_parents(stored, stored=True) == host_and_parents(typed), typed
    assert host_and_parents("https://www.news.spam.example/", stored=True) == [
        "news.spam.example", "spam.example", "example"]
    assert host_and_parents("not a link") == [] == host_and_parents("http://[x", stored=True)
