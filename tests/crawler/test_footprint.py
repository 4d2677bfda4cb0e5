"""What each process of a crawl loads: the memory goal (bench/crawl) depends on it, and one
careless import (a model enum from the store, say) quietly adds 25 MB to every worker."""

import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "scrapy", "twisted", "trafilatura", "alembic", "numpy", "lingua",
         "feedparser", "httpx")


def loaded(module: str) -> set[str]:
    """The HEAVY packages a fresh interpreter holds after importing `module`."""
    code = (f"import sys, {module}; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


@pytest.mark.parametrize(("module", "allowed"), [
    # a spawned parse worker: parsing and analysis only, no store, no Scrapy
    ("rabkor.crawler.parse.worker", {"feedparser", "lingua", "numpy"}),
    # `rabkor crawl`, which picks the sources and waits for its child
    ("rabkor.crawler.run", {"sqlalchemy"}),
])
def test_crawl_processes_load_only_what_they_use(module, allowed):
    assert loaded(module) <= allowed
