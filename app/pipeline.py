"""The pipeline stages in order, once or on a schedule: crawl and the correspondents'
submitted links → the desk's rules → translate → index → the e-mail notices of the desk's
decisions on submitted links, then the readership statistics' months closed and purged
when due.

Each stage selects the work that is due from the store, so a cycle interrupted at any
point is simply finished by the next one. Sources carry their own next fetch time; the
cycle itself runs every `run_cycle` seconds (a minute by default) so that an editor's
approval reaches the site's index soon after it is made.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.crawler.run import crawl
from rabkor.crawler.submissions.process import process_submissions
from rabkor.editor.notices import send_notices
from rabkor.editor.rules import apply_rules
from rabkor.search.indexer import update_index
from rabkor.stats.months import maintain
from rabkor.translate.jobs import translate_pending

logger = logging.getLogger(__name__)


@dataclass
class CycleReport:
    new_items: int = 0
    crawl_errors: int = 0
    submitted_items: int = 0
    ruled: int = 0
    translated_items: int = 0
    indexed: int = 0
    stats_closed: int = 0
    notices_sent: int = 0


def run_cycle(settings: Settings, store: Store) -> CycleReport:
    report = CycleReport()
    crawled = crawl(settings, store)
    report.new_items, report.crawl_errors = crawled.new_items, len(crawled.errors)
    report.submitted_items = process_submissions(settings, store).items
    report.ruled = apply_rules(store).read  # right after the items are stored
    report.translated_items = translate_pending(settings, store).items
    report.indexed = update_index(settings, store).indexed
    # last but the statistics: a slow mail server delays nothing the readers see
    report.notices_sent = send_notices(settings, store).sent
    months = maintain(store, settings)  # a month closes a day after it ends
    report.stats_closed = len(months.closed)
    logger.info("cycle done new_items=%d crawl_errors=%d translated=%d indexed=%d",
                report.new_items, report.crawl_errors, report.translated_items, report.indexed)
    return report


def run_forever(settings: Settings, store: Store, stop: threading.Event) -> None:
    """Run cycles until `stop` is set; one failing cycle is logged and the next one runs."""
    while not stop.is_set():
        try:
            run_cycle(settings, store)
        except Exception:
            logger.exception("pipeline cycle failed; retrying in %d s", settings.run_cycle)
        stop.wait(settings.run_cycle)
