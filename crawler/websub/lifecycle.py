"""A source's WebSub subscription as two tables, each applied by one function.

The subscription (`Source.websub_state`: a `WebSubState`, None when there is none) is
requested — new, renewed before its lease ends, or retried — and then verified by the hub
(active), denied by it, or failed on the way; dropping it (the source was disabled, or its
feed names another hub or topic) always leaves none:

    none, pending (retry), active (renewal), failed (retry) ──requested──► pending
    pending ──verified──► active     pending ──denied──► denied     pending ──failed──► failed
    any ──dropped──► none            (denied stays until the hub or topic changes)

A dropped subscription the hub may still hold (pending, active or failed) is cancelled
beside it, in the `websub_drop_*` columns: the unsubscribe is due, then sent, then
confirmed by the hub's verification; a failed unsubscribe is given up (the lease runs out
anyway), and one not yet sent is forgotten when the topic is wanted again. The two run side
by side: a source can have a new subscription pending while the old one is cancelled.
`rabkor.crawler.websub.hub` decides when each event happens; these tables, what it does.
"""

from __future__ import annotations

import enum
from datetime import datetime

from rabkor.core.errors import InvalidTransition
from rabkor.core.store.kinds import WebSubState, utcnow
from rabkor.core.store.models import Source

PENDING, ACTIVE = WebSubState.PENDING, WebSubState.ACTIVE
DENIED, FAILED = WebSubState.DENIED, WebSubState.FAILED
STATES: tuple[WebSubState | None, ...] = (None, *WebSubState)
# What the hub may hold, so that dropping it needs an unsubscribe.
HUB_MAY_HOLD = frozenset({PENDING, ACTIVE, FAILED})


class SubscriptionEvent(enum.StrEnum):
    REQUESTED = "requested"  # we ask the hub to subscribe: new, renewal or retry
    VERIFIED = "verified"  # the hub's verification matched a request we sent and still mean
    DENIED = "denied"  # the hub refused the subscription (hub.mode=denied)
    FAILED = "failed"  # the request did not reach the hub, or the hub refused the request
    DROPPED = "dropped"  # no longer wanted: the source was disabled, its hub or topic changed


SUBSCRIPTION: dict[tuple[WebSubState | None, SubscriptionEvent], WebSubState | None] = {
    **{(state, SubscriptionEvent.REQUESTED): PENDING for state in (None, PENDING, ACTIVE,
                                                                    FAILED)},
    (PENDING, SubscriptionEvent.VERIFIED): ACTIVE,
    (PENDING, SubscriptionEvent.DENIED): DENIED,
    (PENDING, SubscriptionEvent.FAILED): FAILED,
    **{(state, SubscriptionEvent.DROPPED): None for state in STATES},
}


class Cancellation(enum.StrEnum):
    NONE = "none"  # nothing to cancel
    DUE = "due"  # an unsubscribe to send (websub_drop_hub and _topic say what)
    REQUESTED = "requested"  # sent (websub_drop_requested_at); the hub's verification awaited


class CancellationEvent(enum.StrEnum):
    MARKED = "marked"  # a subscription the hub may hold was dropped (it replaces one not sent)
    SENT = "sent"  # the unsubscribe is sent to the hub
    CONFIRMED = "confirmed"  # the hub verified the unsubscribe
    FAILED = "failed"  # the unsubscribe did not reach the hub: given up, the lease runs out
    WANTED_AGAIN = "wanted again"  # the topic is wanted again before the unsubscribe went


CANCELLATION: dict[tuple[Cancellation, CancellationEvent], Cancellation] = {
    **{(state, CancellationEvent.MARKED): Cancellation.DUE for state in Cancellation},
    (Cancellation.DUE, CancellationEvent.SENT): Cancellation.REQUESTED,
    (Cancellation.DUE, CancellationEvent.WANTED_AGAIN): Cancellation.NONE,
    (Cancellation.REQUESTED, CancellationEvent.CONFIRMED): Cancellation.NONE,
    (Cancellation.REQUESTED, CancellationEvent.FAILED): Cancellation.NONE,
}


def subscription_allows(state: WebSubState | None, event: SubscriptionEvent) -> bool:
    return (state, event) in SUBSCRIPTION


def move_subscription(source: Source, event: SubscriptionEvent) -> WebSubState | None:
    """Apply `event` to the source's subscription; InvalidTransition, unchanged, if not allowed."""
    state = source.websub_state
    if (state, event) not in SUBSCRIPTION:
        raise InvalidTransition(f"source {source.id}: a WebSub subscription that is "
                                f"{state or 'none'} cannot be {event}")
    source.websub_state = SUBSCRIPTION[(state, event)]
    return source.websub_state


def cancellation_of(source: Source) -> Cancellation:
    if source.websub_drop_hub is None:
        return Cancellation.NONE
    if source.websub_drop_requested_at is None:
        return Cancellation.DUE
    return Cancellation.REQUESTED


def cancellation_allows(source: Source, event: CancellationEvent) -> bool:
    return (cancellation_of(source), event) in CANCELLATION


def move_cancellation(source: Source, event: CancellationEvent,
                      now: datetime | None = None) -> Cancellation:
    """Apply `event` to the cancellation, writing the columns that hold its new state: the
    hub and topic being dropped (marked), when the unsubscribe went (sent), none (done)."""
    state = cancellation_of(source)
    target = CANCELLATION.get((state, event))
    if target is None:
        raise InvalidTransition(f"source {source.id}: a WebSub cancellation that is {state} "
                                f"cannot be {event}")
    if target is Cancellation.DUE:
        source.websub_drop_hub, source.websub_drop_topic = (source.websub_hub,
                                                            source.websub_topic)
        source.websub_drop_requested_at = None
    elif target is Cancellation.REQUESTED:
        source.websub_drop_requested_at = now or utcnow()
    else:
        source.websub_drop_hub = source.websub_drop_topic = None
        source.websub_drop_requested_at = None
    return target
