"""WebSub (W3C): what a source's subscription is, and checking what the hub sends back.

A crawled feed that names a hub (<link rel="hub"> with rel="self" as the topic, read by
`rabkor.crawler.parse.feed.advertised_hub`) is noted on its source (`note_hub`);
websub/subscribe.py then asks the hub, from the crawl's parent process, to push that
topic to <public_url>/websub/<source id> with a random per-source secret. A subscription
no longer wanted (the source was disabled, or its feed names another hub or none) is
marked to drop in the crawl's transaction (`drop_subscription`). The callback routes
(websub/app.py, in the web process) check the hub's verifications and pushes here; this
module sends nothing, so the web process loads no HTTP client of the crawler's. What each
step does to the subscription and its cancellation is the pair of tables in
`rabkor.crawler.websub.lifecycle`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rabkor.core.errors import RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.models import Source
from rabkor.crawler.websub.lifecycle import (
    HUB_MAY_HOLD,
    CancellationEvent,
    SubscriptionEvent,
    cancellation_allows,
    move_cancellation,
    move_subscription,
    subscription_allows,
)

if TYPE_CHECKING:
    pass

# What a feed says about its hub is read in parse/feed.py (`advertised_hub`), so the parse
# workers load neither this nor SQLAlchemy.

logger = logging.getLogger(__name__)

SUBSCRIBE, UNSUBSCRIBE, DENIED_MODE = "subscribe", "unsubscribe", "denied"  # hub.mode
CALLBACK_PATH = "/websub/"
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


def still_wanted(source: Source, topic: str) -> bool:
    return bool(source.enabled and source.websub_hub and topic == source.websub_topic)


def callback_url(settings: Settings, source_id: int) -> str:
    return f"{settings.public_url.rstrip('/')}{CALLBACK_PATH}{source_id}"


def verify_intent(source: Source | None, mode: str, topic: str, lease: str,
                  now: datetime) -> None:
    """Record the hub's verification GET if it matches a request we sent and still mean;
    NoSuchSubscription (nothing recorded) if it does not."""
    if source is None or not topic:
        raise NoSuchSubscription("no such source, or no topic")
    if mode == UNSUBSCRIBE:
        if still_wanted(source, topic) or topic != source.websub_drop_topic \
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
