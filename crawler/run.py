"""The crawl's entry point: pick the due sources, crawl them in a child process, report.

Twisted's reactor cannot be started twice in one process, and `rabkor run` crawls on a
schedule, so every crawl runs Scrapy in a fresh child (`rabkor.crawler.process`). The
child writes to the store itself and streams JSON lines back: progress, then the report.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rabkor.core.errors import RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import utcnow
from rabkor.crawler.sources.due import due_jobs

logger = logging.getLogger(__name__)

CHILD = "rabkor.crawler.process"
STOP_GRACE = 10  # seconds the child gets to finish its transaction when stopped
Progress = Callable[[int, int], None]


@dataclass
class CrawlReport:
    """What one crawl did; every source crawled is counted in exactly one of the three."""

    sources_fetched: int = 0
    new_items: int = 0
    not_modified: int = 0
    errors: dict[int, str] = field(default_factory=dict)

    @property
    def sources(self) -> int:
        """Sources crawled, whatever the outcome."""
        return self.sources_fetched + self.not_modified + len(self.errors)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrawlReport:
        errors = {int(k): v for k, v in data.pop("errors").items()}
        return cls(errors=errors, **data)


def crawl(settings: Settings, store: Store, *, source_ids: Sequence[int] | None = None,
          progress: Progress | None = None, log_level: str = "WARNING") -> CrawlReport:
    """Crawl the due sources (or exactly `source_ids`, due or not) and report what happened."""
    with store.read() as session:
        ids = [job.source_id for job in due_jobs(session, utcnow(), source_ids)]
    if not ids:
        _websub(settings, store)  # WebSub renewals fall due without a crawl too
        return CrawlReport()
    request = {"settings": settings_to_json(settings), "source_ids": ids,
               "log_level": log_level}
    logger.info("crawl started sources=%s", len(ids))
    report = _run_child(request, progress)
    logger.info("crawl finished fetched=%s new_items=%s not_modified=%s errors=%s",
                report.sources_fetched, report.new_items, report.not_modified,
                len(report.errors))
    _websub(settings, store)  # hubs the crawl found
    return report


def _websub(settings: Settings, store: Store) -> None:
    """Send hubs their (un)subscriptions (crawler/websub/subscribe.py). Only with a public
    URL, and only then is the HTTP client loaded: the crawl's parent, alive for the whole
    crawl, holds no more than it uses (tests/crawler/test_footprint.py)."""
    if not settings.public_url:
        return
    from rabkor.crawler.websub.subscribe import subscribe_due

    subscribe_due(settings, store)


def _run_child(request: dict[str, Any], progress: Progress | None) -> CrawlReport:
    """Run the child, relay its progress lines, return its report; stop it if we stop."""
    child = subprocess.Popen([sys.executable, "-m", CHILD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, encoding="utf-8")
    report = None
    try:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(json.dumps(request))
        child.stdin.close()
        for line in child.stdout:
            event = json.loads(line)
            if "report" in event:
                report = CrawlReport.from_json(event["report"])
            elif progress is not None:
                progress(event["done"], event["total"])
        code = child.wait()
    finally:
        if child.poll() is None:  # we were interrupted: stop the child, gracefully first
            child.terminate()
            try:
                child.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if child.stdout is not None:
            child.stdout.close()
    if report is None:
        raise RabkorError(f"the crawler process ended without a report (exit code {code}); "
                          "its log above says why")
    return report


def settings_to_json(settings: Settings) -> dict[str, Any]:
    """Settings as JSON for the child (on its stdin: the secret never shows in `ps`)."""
    plain = dataclasses.asdict(settings)
    return {k: str(v) if isinstance(v, Path) else v for k, v in plain.items()}


def settings_from_json(data: dict[str, Any]) -> Settings:
    defaults = Settings()
    values = {}
    for name, value in data.items():
        default = getattr(defaults, name)
        if isinstance(default, Path | tuple):
            value = Path(value) if isinstance(default, Path) else tuple(value)
        values[name] = value
    return Settings(**values)
