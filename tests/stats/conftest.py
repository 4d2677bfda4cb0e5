"""What the statistics' tests share: the real log, lines written by hand, the whole app."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rabkor.app.server import create_app

REAL_LOG = Path(__file__).parents[1] / "data" / "logs" / "apache_logs.gz"
BROWSER = ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def line(address: str, when: str, path: str, *, status: int = 200, size: int = 1000,
         agent: str = BROWSER, referrer: str = "-", method: str = "GET") -> str:
    """One combined-format line; `when` as the log writes it: 03/Nov/2026:10:00:00 +0000."""
    return (f'{address} - - [{when}] "{method} {path} HTTP/1.1" {status} {size} '
            f'"{referrer}" "{agent}"\n')


def write_log(path: Path, lines: list[str] | bytes, *, gzipped: bool = False) -> Path:
    data = lines if isinstance(lines, bytes) else "".join(lines).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gzipped else data)
    return path


@pytest.fixture
def settings(settings):
    return settings.with_(trusted_hosts=("testserver",))


@pytest.fixture
def app_client(settings, store) -> Iterator[TestClient]:
    """The combined app as `rabkor serve` builds it (the capture around the site)."""
    with TestClient(create_app(settings, store)) as client:
        yield client
