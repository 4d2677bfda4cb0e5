"""WebSub (W3C): subscribe to the hub a feed advertises, and check what the hub sends back.

A crawled feed that names a hub (<link rel="hub"> with rel="self" as the topic, read by
`rabkor.crawler.parse.feed.advertised_hub`) is noted on its source; `subscribe_due` then asks
the hub, from the crawl's parent process, to push that topic to
<public_url>/websub/<source id> with a random per-source secret, and renews each lease
an hour before it ends. A subscription no longer wanted (the source
was disabled, or its feed names another hub or none) is marked to drop in the crawl's
transaction, and `subscribe_due` sends the hub its unsubscribe. The callback routes live
in `rabkor.crawler.websub.app`. The hub is outside input: its address passes the guard.
What each step does to the subscription and its cancellation is the pair of tables in
`rabkor.crawler.websub.lifecycle`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from rabkor.core.errors import FetchError, RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.models import Source, utcnow
from rabkor.crawler.websub.lifecycle import (
    ACTIVE,
    FAILED,
    HUB_MAY_HOLD,
    PENDING,
    CancellationEvent,
    SubscriptionEvent,
    cancellation_allows,
    move_cancellation,
    move_subscription,
    subscription_allows,
)

if TYPE_CHECKING:
    from rabkor.core.store.db import Store

# The HTTP client (crawler/fetch/direct.py, which loads Scrapy's machinery) is imported where
# it is used, to keep the crawl's parent light. What a feed says about its hub is read
# in parse.py (`advertised_hub`), so the parse workers load neither this nor SQLAlchemy.

logger = logging.getLogger(__name__)

SUBSCRIBE, UNSUBSCRIBE, DENIED_MODE = "subscribe", "unsubscribe", "denied"  # hub.mode
CALLBACK_PATH = "/websub/"
RENEW_BEFORE = timedelta(hours=1)  # several crawl cycles before the lease ends
RETRY_AFTER = timedelta(hours=1)  # a request the hub never verified, or that failed
MAX_LEASE = 366 * 86400
DEFAULT_LEASE = 86400  # a hub that states no lease: assume the shortest usual one
DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
           "sha512": hashlib.sha512}


class NoSuchSubscription(RabkorError):
    """A hub's verification or push names no subscription we asked for and still want
    (never requested, dropped since, another topic, or the source disabled)."""

    status = 404

    def __init__(self, why: str) -> None:
        super().__init__("no such subscription")  # all a hub is told
        self.why = why  # for the log


def note_hub(source: Source, websub: tuple[str, str] | None) -> None:
    """Remember the hub a fetched feed advertises; a changed hub or topic starts afresh."""
    hub, topic = websub or (None, None)
    if (hub, topic) != (source.websub_hub, source.websub_topic):
        drop_subscription(source)
        source.websub_hub, source.websub_topic = hub, topic


def drop_subscription(source: Source) -> None:
    """Mark the source's subscription to be cancelled at its hub; a later one starts afresh.

    Only one the hub may hold: asked for (pending), verified (active), or failed (perhaps a
    renewal, the lease still running). One never requested or denied needs no unsubscribe.
    """
    if source.websub_hub and source.websub_state in HUB_MAY_HOLD:
        move_cancellation(source, CancellationEvent.MARKED)
    move_subscription(source, SubscriptionEvent.DROPPED)
    source.websub_lease_expires_at = None


def _wanted(source: Source, topic: str) -> bool:
    return bool(source.enabled and source.websub_hub and topic == source.websub_topic)


def callback_url(settings: Settings, source_id: int) -> str:
    return f"{settings.public_url.rstrip('/')}{CALLBACK_PATH}{source_id}"


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
            if _wanted(source, source.websub_drop_topic):
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
    from rabkor.crawler.fetch.direct import client

    with client(settings) as http:
        for request in requests:
            accepted += _request(http, settings, store, *request)
    return accepted


def _request(http, settings: Settings, store: Store, mode: str, source_id: int, hub: str,
             topic: str, secret: str | None) -> int:
    from rabkor.crawler.fetch.direct import fetch, require_ok

    form = {"hub.mode": mode, "hub.topic": topic,
            "hub.callback": callback_url(settings, source_id)}
    if secret:
        form |= {"hub.secret": secret,
                 "hub.lease_seconds": str(settings.websub_lease_seconds)}
    try:
        require_ok(fetch(http, hub, settings, method="POST", data=form, max_bytes=64 * 1024))
    except FetchError as exc:
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


def verify_intent(source: Source | None, mode: str, topic: str, lease: str,
                  now: datetime) -> None:
    """Record the hub's verification GET if it matches a request we sent and still mean;
    NoSuchSubscription (nothing recorded) if it does not."""
    if source is None or not topic:
        raise NoSuchSubscription("no such source, or no topic")
    if mode == UNSUBSCRIBE:
        if _wanted(source, topic) or topic != source.websub_drop_topic \
                or not cancellation_allows(source, CancellationEvent.CONFIRMED):
            raise NoSuchSubscription("no unsubscribe sent for this topic, or it is wanted")
        move_cancellation(source, CancellationEvent.CONFIRMED)
        return
    if mode != SUBSCRIBE or topic != source.websub_topic or not source.enabled \
            or not subscription_allows(source.websub_state, SubscriptionEvent.VERIFIED):
        raise NoSuchSubscription(f"no subscription pending for this topic (mode {mode[:20]})")
    seconds = int(lease) if lease.isdigit() else DEFAULT_LEASE
    move_subscription(source, SubscriptionEvent.VERIFIED)
    source.websub_lease_expires_at = now + timedelta(seconds=min(seconds, MAX_LEASE))


def hub_denied(source: Source | None, topic: str) -> None:
    """The hub refused the subscription (hub.mode=denied): stop asking until it changes.
    NoSuchSubscription if it names none we are waiting for."""
    if source is None or topic != source.websub_topic \
            or not subscription_allows(source.websub_state, SubscriptionEvent.DENIED):
        raise NoSuchSubscription("no subscription pending for this topic (denied)")
    move_subscription(source, SubscriptionEvent.DENIED)


def signature_valid(secret: str | None, header: str | None, body: bytes) -> bool:
    """X-Hub-Signature ("sha256=<hex>", or sha1/sha384/sha512) is the HMAC of the body."""
    if not secret or not header or "=" not in header:
        return False
    method, _, given = header.strip().partition("=")
    digest = DIGESTS.get(method.lower())
    if digest is None:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())
