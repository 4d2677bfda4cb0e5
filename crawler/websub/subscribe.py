"""Sending hubs their (un)subscriptions: after each crawl, from the crawl's parent process.

A source whose feed names a hub is subscribed (with its random secret) and its lease
renewed `RENEW_BEFORE` its end; a request the hub never verified, or that failed, is
sent again `RETRY_AFTER`; a subscription marked to drop gets its unsubscribe. The hub is
outside input: its address passes the guard (the guarded httpx client), and a hub that
cannot be reached, or answers nonsense, fails that request alone: nothing a feed names
as its hub can stop the crawl.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from rabkor.core.errors import FetchError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Source, utcnow
from rabkor.crawler.fetch.direct import client, fetch, require_ok
from rabkor.crawler.websub.hub import SUBSCRIBE, UNSUBSCRIBE, callback_url, still_wanted
from rabkor.crawler.websub.lifecycle import (
    ACTIVE,
    FAILED,
    PENDING,
    CancellationEvent,
    SubscriptionEvent,
    cancellation_allows,
    move_cancellation,
    move_subscription,
    subscription_allows,
)

logger = logging.getLogger(__name__)

RENEW_BEFORE = timedelta(hours=1)  # several crawl cycles before the lease ends
RETRY_AFTER = timedelta(hours=1)  # a request the hub never verified, or that failed


def due(now: datetime):
    """Sources whose subscription must be requested: new, renewing, or retrying."""
    return select(Source).where(
        Source.enabled.is_(True), Source.websub_hub.is_not(None),
        or_(Source.websub_state.is_(None),
            (Source.websub_state == ACTIVE) & (Source.websub_lease_expires_at
                                               <= now + RENEW_BEFORE),
            Source.websub_state.in_((PENDING, FAILED))
            & (Source.websub_requested_at <= now - RETRY_AFTER)))


def drops_due():
    """Sources with a subscription to cancel whose unsubscribe is not sent yet."""
    return select(Source).where(Source.websub_drop_hub.is_not(None),
                                Source.websub_drop_requested_at.is_(None))


def subscribe_due(settings: Settings, store: Store) -> int:
    """Send the hubs every (un)subscription due; returns how many requests hubs accepted.

    Does nothing without `public_url`: a hub could not reach us. Each request is marked
    sent before it is sent, so the hub's verification finds it.
    """
    if not settings.public_url:
        return 0
    now = utcnow()
    with store.transaction() as session:
        requests = []
        for source in session.scalars(drops_due()):
            if still_wanted(source, source.websub_drop_topic):
                # wanted again, or the same topic at a new hub: a verification could not
                # tell the two apart, so the old hub's lease is left to run out
                move_cancellation(source, CancellationEvent.WANTED_AGAIN)
                continue
            move_cancellation(source, CancellationEvent.SENT, now)
            requests.append((UNSUBSCRIBE, source.id, source.websub_drop_hub,
                             source.websub_drop_topic, None))
        for source in session.scalars(due(now)):
            source.websub_secret = source.websub_secret or secrets.token_hex(32)
            move_subscription(source, SubscriptionEvent.REQUESTED)
            source.websub_requested_at = now
            requests.append((SUBSCRIBE, source.id, source.websub_hub,
                             source.websub_topic, source.websub_secret))
    accepted = 0
    with client(settings) as http:
        for request in requests:
            accepted += _request(http, settings, store, *request)
    return accepted


def _request(http, settings: Settings, store: Store, mode: str, source_id: int, hub: str,
             topic: str, secret: str | None) -> int:
    form = {"hub.mode": mode, "hub.topic": topic,
            "hub.callback": callback_url(settings, source_id)}
    if secret:
        form |= {"hub.secret": secret,
                 "hub.lease_seconds": str(settings.websub_lease_seconds)}
    try:
        require_ok(fetch(http, hub, settings, method="POST", data=form, max_bytes=64 * 1024))
    except Exception as exc:  # FetchError in words; anything else must not stop the crawl
        if not isinstance(exc, FetchError):
            logger.exception("websub %s broke source_id=%s url=%s", mode, source_id, hub)
        logger.info("websub %s failed source_id=%s url=%s error=%s", mode, source_id, hub,
                    exc)
        with store.transaction() as session:
            _failed(session.get(Source, source_id), mode, topic)
        return 0
    logger.info("websub %s requested source_id=%s url=%s", mode, source_id, hub)
    return 1


def _failed(source: Source | None, mode: str, topic: str) -> None:
    """A subscription is retried later; an unsubscribe is not: its lease runs out anyway."""
    if source is None:
        return
    if mode == SUBSCRIBE and subscription_allows(source.websub_state,
                                                 SubscriptionEvent.FAILED):
        move_subscription(source, SubscriptionEvent.FAILED)
    elif mode == UNSUBSCRIBE and source.websub_drop_topic == topic \
            and cancellation_allows(source, CancellationEvent.FAILED):
        move_cancellation(source, CancellationEvent.FAILED)
