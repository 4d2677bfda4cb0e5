"""The crawler's step for correspondents' links: each received submission fetched through
the address guard (with the crawl's time and size bounds), read (read.py), and then one
of: an item in the editors' queue, a link to the story the store already has, a feed
offered to the editors as a source, or a failure with its reason in words.

Run by the pipeline's cycle after the crawl (app/pipeline.py) and by
`rabkor submissions process`, never in a web request. Each submission is settled in its
own transaction, after its fetch: a crash loses at most the fetches under way, which the
next run makes again; a submission withdrawn meanwhile is left as its correspondent
left it. A link the store already holds (its URL or canonical form) is settled without
a fetch. Fetches run in a few threads (they wait on the network); reading and storing
run one at a time (trafilatura takes one page at a time anyway), the reading of a page
or a PDF in a parse worker bounded in time and memory (read.py), which stops a hostile
one with its reason as that link's failure and reads the next.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select

from rabkor.core import submissions
from rabkor.core.errors import FetchError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.kinds import utcnow
from rabkor.core.store.models import ItemTopic, Submission, Topic
from rabkor.crawler.fetch.direct import Fetched, client, fetch, require_ok
from rabkor.crawler.parse.clean import MAX_ERROR
from rabkor.crawler.parse.pool import ParsePool
from rabkor.crawler.store.items import insert_submitted, stored_story
from rabkor.crawler.submissions.read import Reading, read_answer
from rabkor.crawler.submissions.recognise import READ_TYPES

logger = logging.getLogger(__name__)

BATCH = 200  # submissions taken per run; the next cycle takes the rest
FETCHERS = 8
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
Event = submissions.Event


@dataclass
class SubmissionReport:
    items: int = 0  # new items in the queue
    duplicates: int = 0
    offered: int = 0  # feeds and sites offered as sources
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.items + self.duplicates + self.offered + self.failed


@dataclass(frozen=True)
class _Job:
    submission_id: int
    url: str
    language: str | None
    known: int | None  # the stored story's id when the link is stored already


def process_submissions(settings: Settings, store: Store, limit: int = BATCH
                        ) -> SubmissionReport:
    """Settle up to `limit` received submissions, oldest first."""
    report = SubmissionReport()
    with store.read() as s:
        rows = s.execute(select(Submission.id, Submission.url, Submission.language)
                         .where(Submission.status == submissions.RECEIVED)
                         .order_by(Submission.id).limit(limit)).all()
        jobs = [_Job(r.id, r.url, r.language, stored_story(s, r.url)) for r in rows]
    if not jobs:
        return report
    with client(settings) as http, ThreadPoolExecutor(FETCHERS) as pool, \
            closing(ParsePool(1, seconds=settings.parse_seconds)) as readers:
        answers = pool.map(lambda job: _answer(http, job, settings), jobs)
        for job, answer in zip(jobs, answers, strict=True):
            _settle(store, job, answer, report, readers)
    logger.info("submissions processed items=%d duplicates=%d offered=%d failed=%d",
                report.items, report.duplicates, report.offered, report.failed)
    return report


def _answer(http: httpx.Client, job: _Job, settings: Settings) -> Fetched | str | None:
    """The link's answer, or why there is none in words; None: no fetch needed."""
    if job.known is not None:
        return None
    try:
        return require_ok(fetch(http, job.url, settings, accept=PAGE_ACCEPT,
                                read_types=READ_TYPES))
    except FetchError as exc:
        return str(exc)
    except Exception as exc:  # one odd link must not stop the others
        logger.exception("submission fetch failed submission_id=%s", job.submission_id)
        return f"fetch failed: {type(exc).__name__}"


def _settle(store: Store, job: _Job, answer: Fetched | str | None,
            report: SubmissionReport, readers: ParsePool) -> None:
    reading = read_answer(answer, job.language, readers) \
        if isinstance(answer, Fetched) else None
    with store.transaction() as s:
        sub = s.get(Submission, job.submission_id)
        if sub is None or sub.status != submissions.RECEIVED:
            return  # withdrawn, refused or settled by another worker meanwhile
        sub.attempts += 1
        sub.fetched_at = utcnow()
        if answer is None:
            _duplicate(sub, job.known, report)  # type: ignore[arg-type]
        elif isinstance(answer, str):
            _failed(sub, answer, report)
        else:
            _apply(s, sub, answer, reading, report)  # type: ignore[arg-type]


def _apply(s, sub: Submission, fetched: Fetched, reading: Reading,
           report: SubmissionReport) -> None:
    sub.kind, sub.feeds = reading.kind, reading.feeds
    if reading.error:
        _failed(sub, reading.error, report)
        return
    if reading.draft is None:  # a feed, or a site's page naming feeds
        sub.error = None
        submissions.move(sub, Event.FETCHED, ", ".join(reading.feeds))
        report.offered += 1
        return
    known = stored_story(s, fetched.url) if fetched.url != sub.url else None
    if known is not None:  # a redirect to a stored story
        _duplicate(sub, known, report)
        return
    item_id, new = insert_submitted(s, reading.draft, sub.id, utcnow())
    if not new:
        _duplicate(sub, item_id, report)
        return
    sub.item_id, sub.error = item_id, None
    _give_topic(s, item_id, sub.topic)
    submissions.move(sub, Event.FETCHED, str(item_id))
    report.items += 1


def _duplicate(sub: Submission, item_id: int, report: SubmissionReport) -> None:
    sub.item_id, sub.error = item_id, None
    submissions.move(sub, Event.ALREADY_STORED, str(item_id))
    report.duplicates += 1


def _failed(sub: Submission, reason: str, report: SubmissionReport) -> None:
    sub.error = reason[:MAX_ERROR]
    submissions.move(sub, Event.FETCH_FAILED, sub.error)
    report.failed += 1
    report.errors.append(f"submission {sub.id} {sub.url}: {sub.error}")


def _give_topic(s, item_id: int, topic: str | None) -> None:
    """The topic the correspondent named, when it is one of the desk's (by its slug or
    its name in any language); other words stay on the submission for the editors."""
    wanted = (topic or "").strip().casefold()
    if not wanted:
        return
    for found in s.scalars(select(Topic).where(Topic.active.is_(True))):
        names = {found.slug.casefold(), *(n.casefold() for n in found.names.values())}
        if wanted in names:
            s.add(ItemTopic(item_id=item_id, topic_id=found.id))
            return

