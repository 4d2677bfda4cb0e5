"""One URL parser: it reads every http(s) URL as the URL Standard's reference implementation
does (its answers, recorded in tests/data/urls, are the expectations), so what is checked
is what is fetched."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from rabkor.core.text.urls import UrlError, parse_url, safe_url

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
