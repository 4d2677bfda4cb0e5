"""WebSub (W3C): subscribe to the hub a feed advertises, and check what the hub sends back.

A crawled feed that names a hub (<link rel="hub"> with rel="self" as the topic) is noted
on its source; `subscribe_due` then asks the hub, from the crawl's parent process, to
push that topic to <public_url>/websub/<source id> with a random per-source secret, and
renews each lease an hour before it ends. The callback routes live in
`rabkor.crawler.websub_app`. The hub is outside input: its address passes the guard.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from sqlalchemy import or_, select

from rabkor.core.errors import FetchError
from rabkor.core.settings import Settings
from rabkor.core.store.models import Source, utcnow
from rabkor.crawler.clean import MAX_URL, safe_url

if TYPE_CHECKING:
    from rabkor.core.store.db import Store

# The HTTP client (crawler/direct.py, which loads Scrapy's machinery) is imported where
# it is used: parse.py imports this module for `advertised_hub`, and the parse workers
# (crawler/parsepool.py) should not load Scrapy.

logger = logging.getLogger(__name__)

PENDING, ACTIVE, DENIED, FAILED = "pending", "active", "denied", "failed"
CALLBACK_PATH = "/websub/"
RENEW_BEFORE = timedelta(hours=1)  # several crawl cycles before the lease ends
RETRY_AFTER = timedelta(hours=1)  # a request the hub never verified, or that failed
MAX_LEASE = 366 * 86400
DEFAULT_LEASE = 86400  # a hub that states no lease: assume the shortest usual one
DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
           "sha512": hashlib.sha512}


def advertised_hub(feed: Mapping[str, Any], feed_url: str) -> tuple[str, str] | None:
    """(hub, topic) from feedparser's feed.links: rel="hub", and rel="self" or the feed URL."""
    links = [link for link in feed.get("links") or [] if isinstance(link, Mapping)]
    hub = next((link.get("href") for link in links if link.get("rel") == "hub"), None)
    hub = safe_url(urljoin(feed_url, hub)) if hub else None
    if not hub:
        return None
    topic = next((link.get("href") for link in links if link.get("rel") == "self"), None)
    topic = safe_url(urljoin(feed_url, topic)) if topic else feed_url
    if len(hub) > MAX_URL or len(topic or "") > MAX_URL:
        return None
    return hub, topic or feed_url


def note_hub(source: Source, websub: tuple[str, str] | None) -> None:
    """Remember the hub a fetched feed advertises; a changed hub or topic starts afresh."""
    hub, topic = websub or (None, None)
    if (hub, topic) != (source.websub_hub, source.websub_topic):
        source.websub_hub, source.websub_topic = hub, topic
        source.websub_state = source.websub_lease_expires_at = None


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


def subscribe_due(settings: Settings, store: Store) -> int:
    """Ask the hubs for every subscription due; returns how many requests hubs accepted.

    Does nothing without `public_url`: a hub could not reach us. Each request is marked
    pending before it is sent, so the hub's verification finds it.
    """
    if not settings.public_url:
        return 0
    now = utcnow()
    with store.transaction() as session:
        requests = []
        for source in session.scalars(due(now)):
            source.websub_secret = source.websub_secret or secrets.token_hex(32)
            source.websub_state, source.websub_requested_at = PENDING, now
            requests.append((source.id, source.websub_hub, source.websub_topic,
                             source.websub_secret))
    accepted = 0
    from rabkor.crawler.direct import client

    with client(settings) as http:
        for source_id, hub, topic, secret in requests:
            accepted += _request(http, settings, store, source_id, hub, topic, secret)
    return accepted


def _request(http, settings: Settings, store: Store, source_id: int, hub: str, topic: str,
             secret: str) -> int:
    from rabkor.crawler.direct import fetch, require_ok

    form = {"hub.mode": "subscribe", "hub.topic": topic,
            "hub.callback": callback_url(settings, source_id), "hub.secret": secret,
            "hub.lease_seconds": str(settings.websub_lease_seconds)}
    try:
        require_ok(fetch(http, hub, settings, method="POST", data=form, max_bytes=64 * 1024))
    except FetchError as exc:
        logger.info("websub subscription failed source_id=%s url=%s error=%s", source_id,
                    hub, exc)
        with store.transaction() as session:
            source = session.get(Source, source_id)
            if source is not None and source.websub_state == PENDING:
                source.websub_state = FAILED
        return 0
    logger.info("websub subscription requested source_id=%s url=%s", source_id, hub)
    return 1


def verify_intent(source: Source | None, mode: str, topic: str, lease: str,
                  now: datetime) -> bool:
    """Whether the hub's verification GET matches a subscription we asked for; records it."""
    if source is None or not source.websub_topic or topic != source.websub_topic:
        return False
    if mode == "subscribe" and source.websub_state == PENDING:
        seconds = int(lease) if lease.isdigit() else DEFAULT_LEASE
        source.websub_state = ACTIVE
        source.websub_lease_expires_at = now + timedelta(seconds=min(seconds, MAX_LEASE))
        return True
    return False


def hub_denied(source: Source | None, topic: str) -> bool:
    """The hub refused the subscription (hub.mode=denied): stop asking until it changes."""
    if source is None or topic != source.websub_topic or source.websub_state != PENDING:
        return False
    source.websub_state = DENIED
    return True


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
