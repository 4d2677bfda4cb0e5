"""Writing what article pages brought: the claim on pending pages, and each page's text.

A page's text replaces the item's feed summary as its content only when it says more
(`adds_text`); the item's language and SimHash are then computed again from it
(analyse.analysis), and it is linked if it now matches a stored story
(items.refingerprint). A page that fails leaves the summary and a readable
`extraction_error`. Either way the page is no longer pending.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rabkor.core.store.models import Item
from rabkor.crawler.analyse.analysis import analyse
from rabkor.crawler.draft import DraftItem, PageOutcome, PagesClaimed
from rabkor.crawler.parse.article import NOTHING_FOUND, adds_text
from rabkor.crawler.parse.clean import MAX_ERROR
from rabkor.crawler.store.items import refingerprint

logger = logging.getLogger(__name__)


def store_claim(session: Session, claim: PagesClaimed) -> None:
    """Count one more attempt for each page asked for again; give up the others."""
    if claim.retried:
        session.execute(update(Item).where(Item.id.in_(claim.retried))
                        .values(page_attempts=Item.page_attempts + 1))
    if claim.given_up:
        session.execute(update(Item), [  # by primary key
            {"id": item_id, "page_attempts": None, "extraction_error": message}
            for item_id, message in claim.given_up])


def store_page(session: Session, page: PageOutcome) -> None:
    """The page's result on its item: the text (with the language and SimHash it gives),
    or why there is none."""
    item = session.scalar(select(Item).where(Item.canonical_url == page.canonical_url))
    if item is None:
        logger.warning("page for an item not stored source_id=%s url=%s", page.source_id,
                       page.canonical_url)
        return
    item.page_attempts = None
    error = page.error
    if error is None and not adds_text(page.content, item.content or item.summary):
        error = NOTHING_FOUND
    if error is not None:
        item.extraction_error = f"page {item.url}: {error}"[:MAX_ERROR]
        logger.info("full text failed item_id=%s error=%s", item.id, error)
        return
    item.content, item.extraction_error = page.content, None
    found = analyse(DraftItem(item.guid or item.url, item.url, item.title,
                              content=page.content, language=page.declared_language))
    item.language, item.language_confidence = found.language, found.confidence
    refingerprint(session, item, found.simhash)
    logger.debug("full text stored item_id=%s chars=%s", item.id, len(page.content))
