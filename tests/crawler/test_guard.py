"""The address guard's rule, address by address; the crawl tests show it in place."""

import pytest

from rabkor.core.errors import FetchError
from rabkor.crawler.fetch.guard import check_url, refusal

ALLOWED = ("127.0.0.1:8000", "localhost:9000")


@pytest.mark.parametrize(("address", "port", "host", "why"), [
    ("93.184.216.34", 80, "", None),
    ("2606:2800:220:1:248:1893:25c8:1946", 443, "", None),
    ("127.0.0.1", 8000, "", None),  # the allowed pair
    ("127.0.0.1", 9000, "localhost", None),  # allowed by the name that was asked for
    ("127.0.0.1", 8001, "", "address 127.0.0.1 is loopback and refused"),
    ("127.0.0.2", 8000, "", "address 127.0.0.2 is loopback and refused"),
    ("::1", 8000, "", "address ::1 is loopback and refused"),
    ("::ffff:127.0.0.1", 80, "", "address 127.0.0.1 is loopback and refused"),
    ("10.0.0.1", 80, "", "address 10.0.0.1 is private and refused"),
    ("10.0.0.1", 8000, "", "address 10.0.0.1 is private and refused"),  # never allow-listed
    ("192.168.1.1", 80, "", "address 192.168.1.1 is private and refused"),
    ("172.16.0.5", 80, "", "address 172.16.0.5 is private and refused"),
    ("169.254.169.254", 80, "", "address 169.254.169.254 is link-local and refused"),
    ("fe80::1", 80, "", "address fe80::1 is link-local and refused"),
    ("fd00::1", 80, "", "address fd00::1 is private and refused"),
    ("224.0.0.1", 80, "", "address 224.0.0.1 is multicast and refused"),
    ("0.0.0.0", 80, "", "address 0.0.0.0 is private and refused"),
    ("100.64.0.1", 80, "", "address 100.64.0.1 is not public and refused"),
    ("240.0.0.1", 80, "", "address 240.0.0.1 is private and refused"),
    ("not-an-ip", 80, "", "address not-an-ip is not an IP address and refused"),
    # IPv6 forms that embed an IPv4 address are judged as the address they reach
    ("64:ff9b::7f00:1", 80, "", "address 127.0.0.1 is loopback and refused"),  # NAT64
    ("64:ff9b::a9fe:a9fe", 80, "", "address 169.254.169.254 is link-local and refused"),
    ("64:ff9b::a00:1", 80, "", "address 10.0.0.1 is private and refused"),
    ("64:ff9b::808:808", 80, "", None),  # NAT64 of 8.8.8.8: public
    ("64:ff9b:1::a00:1", 80, "", "address 64:ff9b:1::a00:1 is local-use NAT64 and refused"),
    ("2002:7f00:1::1", 80, "", "address 127.0.0.1 is loopback and refused"),  # 6to4
    ("2002:c0a8:101::1", 80, "", "address 192.168.1.1 is private and refused"),
    ("2002:808:808::1", 80, "", None),
    ("::127.0.0.1", 80, "", "address 127.0.0.1 is loopback and refused"),  # IPv4-compatible
    ("::a9fe:a9fe", 80, "", "address 169.254.169.254 is link-local and refused"),
    ("::ffff:10.1.2.3", 80, "", "address 10.1.2.3 is private and refused"),  # IPv4-mapped
    # Teredo: the client's address is stored inverted in the last 32 bits
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", 80, "",
     "address 127.0.0.1 is loopback and refused"),
    ("::ffff:127.0.0.1", 8000, "", None),  # the allowed pair, however it is written
])
def test_refusal(address, port, host, why):
    assert refusal(address, port, host=host, allowed_loopback=ALLOWED) == why


@pytest.mark.parametrize(("url", "message"), [
    ("file:///etc/passwd", "only http and https URLs are fetched, not file:"),
    ("data:text/plain,x", "only http and https URLs are fetched, not data:"),
    ("s3://bucket/key", "only http and https URLs are fetched, not s3:"),
    ("http://", "URL without a host"),
    ("http://e.org:port/", "not a port number"),
    ("http://0177.0.0.1:99999/", "not a port number"),
    ("http://999.0.0.1/", "not an IPv4 address"),
])
def test_check_url_refuses_what_is_not_web(url, message):
    with pytest.raises(FetchError, match=message):
        check_url(url)
    assert check_url("https://e.org/feed") == "https://e.org/feed"
    # what is checked is what is fetched: read once, the way browsers and httpx read it
    assert check_url("http://0177.0.0.1:18899/") == "http://127.0.0.1:18899/"
    assert check_url("http://evil.example\\@good.example/") == \
        "http://evil.example/@good.example/"
