"""The crawl's child process: `python -m rabkor.crawler.process`, a JSON request on stdin.

Runs the feed spider (and the sitemap spider) in Scrapy's CrawlerProcess (a reactor that
lives and dies with this process) and writes JSON lines on stdout: {"done", "total"} as
each source is stored, then {"report"}. Anything else that writes to stdout is sent to
stderr instead, so the channel to the parent stays clean. The crawl opens one `Store`,
handed to the spiders (which read it) and the store pipeline (which alone writes) through
their `from_crawler`, as the Scrapy setting RABKOR_STORE.
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, TYPE_CHECKING, Any

from rabkor.crawler.draft import FetchOutcome, SourceJob

if TYPE_CHECKING:
    from rabkor.core.settings import Settings
    from rabkor.core.store.db import Store

# Scrapy, the store and the spiders are imported in main(), not here: the parse workers
# (crawler/parse/pool.py) are spawned, and a spawned process imports the parent's main
# module again, so anything imported here would be loaded into every worker too.


class Tally:
    """Counts outcomes into the report and tells the parent after each one."""

    def __init__(self, jobs: list[SourceJob], channel: IO[str]) -> None:
        self.pending = {job.source_id for job in jobs}
        from rabkor.crawler.run import CrawlReport

        self.total = len(jobs)
        self.report = CrawlReport()
        self.channel = channel

    def stored(self, outcome: FetchOutcome, new_items: int) -> None:
        self.pending.discard(outcome.source_id)
        if outcome.error is not None:
            self.report.errors[outcome.source_id] = outcome.error
        elif outcome.not_modified:
            self.report.not_modified += 1
        else:
            self.report.sources_fetched += 1
            self.report.new_items += new_items
        self.send({"done": self.report.sources, "total": self.total})

    def send(self, event: dict[str, Any]) -> None:
        self.channel.write(json.dumps(event) + "\n")
        self.channel.flush()


def main() -> int:
    from scrapy.crawler import CrawlerProcess

    from rabkor.core.store.db import Store
    from rabkor.core.store.models import utcnow
    from rabkor.crawler.fetch.bounds import scrapy_settings
    from rabkor.crawler.fetch.spider import FeedSpider
    from rabkor.crawler.run import settings_from_json
    from rabkor.crawler.sitemap.spider import SitemapSpider, sitemap_jobs
    from rabkor.crawler.sources.due import due_jobs
    from rabkor.crawler.store.pipeline import outcome_stored

    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    request = json.load(sys.stdin)
    settings = settings_from_json(request["settings"])
    store = Store(settings)
    with store.read() as session:
        jobs = due_jobs(session, utcnow(), request["source_ids"])
    tally = Tally(jobs, channel)
    tally.send({"done": 0, "total": tally.total})
    process = CrawlerProcess({**scrapy_settings(settings, request["log_level"]),
                              "RABKOR_STORE": store})
    crawler = process.create_crawler(FeedSpider)
    crawler.signals.connect(tally.stored, signal=outcome_stored)
    # sites without feeds go to the sitemap spider (crawler/sitemap/spider.py), the rest here
    site_jobs = sitemap_jobs(store, [job.source_id for job in jobs])
    process.crawl(crawler, jobs=[job for job in jobs if job.source_id not in site_jobs])
    if site_jobs:
        site_crawler = process.create_crawler(SitemapSpider)
        site_crawler.signals.connect(tally.stored, signal=outcome_stored)
        process.crawl(site_crawler, jobs=list(site_jobs.values()))
    process.start()
    _record_unanswered(store, settings, tally)
    store.close()
    tally.send({"report": tally.report.to_json()})
    return 0


def _record_unanswered(store: Store, settings: Settings, tally: Tally) -> None:
    """Sources the crawl never finished (it was stopped) get an error, not silence."""
    from rabkor.core.store.models import utcnow
    from rabkor.crawler.sources.schedule import Policy
    from rabkor.crawler.store.pipeline import store_outcome

    policy = Policy.from_settings(settings)
    for source_id in sorted(tally.pending):
        outcome = FetchOutcome(source_id, error="the crawl stopped before this source answered")
        with store.transaction() as session:
            store_outcome(session, outcome, now=utcnow(), policy=policy)
        tally.stored(outcome, 0)


if __name__ == "__main__":
    sys.exit(main())
