"""Which sources a crawl fetches: the enabled ones that are due, as detached SourceJobs.

Its own module so that `rabkor crawl`, which only picks the sources and waits for its
crawler child, does not load what storing items needs (numpy, the near-duplicate code).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rabkor.core.store.models import Source
from rabkor.crawler.draft import SourceJob


def due_jobs(session: Session, now: datetime,
             source_ids: Sequence[int] | None = None) -> list[SourceJob]:
    """Enabled sources whose next fetch is due; named sources are due whatever their time."""
    query = select(Source).where(Source.enabled.is_(True)).order_by(Source.id)
    if source_ids is None:
        query = query.where(or_(Source.next_fetch_at.is_(None), Source.next_fetch_at <= now))
    else:
        query = query.where(Source.id.in_(source_ids))
    return [SourceJob(s.id, s.feed_url, s.language, s.etag, s.last_modified, s.full_text,
                      s.credentials)
            for s in session.scalars(query)]
