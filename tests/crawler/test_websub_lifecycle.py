"""A source's WebSub subscription and its cancellation (crawler/websub/lifecycle.py): both
state × event grids, and the hub's verifications and our drops walked over every state.
The whole exchange with a real hub is in test_websub.py."""

from __future__ import annotations

import itertools

import pytest

from rabkor.core.errors import InvalidTransition
from rabkor.core.store.models import Source, WebSubState, utcnow
from rabkor.crawler.websub.hub import (
    NoSuchSubscription,
    drop_subscription,
    hub_denied,
    verify_intent,
)
from rabkor.crawler.websub.lifecycle import (
    CANCELLATION,
    STATES,
    SUBSCRIPTION,
    Cancellation,
    CancellationEvent,
    SubscriptionEvent,
    cancellation_allows,
    cancellation_of,
    move_cancellation,
    move_subscription,
    subscription_allows,
)

NOW = utcnow()
HUB, TOPIC = "https://hub.example/", "https://e.org/feed"
OLD_HUB, OLD_TOPIC = "https://old-hub.example/", "https://e.org/old-feed"
PENDING, ACTIVE = WebSubState.PENDING, WebSubState.ACTIVE
DENIED, FAILED = WebSubState.DENIED, WebSubState.FAILED


def source_with(state: WebSubState | None = None,
                cancellation: Cancellation = Cancellation.NONE) -> Source:
    source = Source(id=7, feed_url=TOPIC, enabled=True, websub_hub=HUB, websub_topic=TOPIC,
                    websub_state=state)
    if cancellation is not Cancellation.NONE:
        source.websub_drop_hub, source.websub_drop_topic = OLD_HUB, OLD_TOPIC
    if cancellation is Cancellation.REQUESTED:
        source.websub_drop_requested_at = NOW
    return source


def test_the_subscription_table_holds_the_expected_moves():
    expected = {
        (None, SubscriptionEvent.REQUESTED): PENDING,
        (PENDING, SubscriptionEvent.REQUESTED): PENDING,  # never verified: asked again
        (ACTIVE, SubscriptionEvent.REQUESTED): PENDING,  # renewed before the lease ends
        (FAILED, SubscriptionEvent.REQUESTED): PENDING,  # retried
        (PENDING, SubscriptionEvent.VERIFIED): ACTIVE,
        (PENDING, SubscriptionEvent.DENIED): DENIED,
        (PENDING, SubscriptionEvent.FAILED): FAILED,
        **{(state, SubscriptionEvent.DROPPED): None for state in STATES},
    }
    assert dict(SUBSCRIPTION) == expected


def test_the_cancellation_table_holds_the_expected_moves():
    expected = {
        (Cancellation.NONE, CancellationEvent.MARKED): Cancellation.DUE,
        (Cancellation.DUE, CancellationEvent.MARKED): Cancellation.DUE,
        (Cancellation.REQUESTED, CancellationEvent.MARKED): Cancellation.DUE,
        (Cancellation.DUE, CancellationEvent.SENT): Cancellation.REQUESTED,
        (Cancellation.DUE, CancellationEvent.WANTED_AGAIN): Cancellation.NONE,
        (Cancellation.REQUESTED, CancellationEvent.CONFIRMED): Cancellation.NONE,
        (Cancellation.REQUESTED, CancellationEvent.FAILED): Cancellation.NONE,
    }
    assert dict(CANCELLATION) == expected


@pytest.mark.parametrize(("state", "event"), list(itertools.product(STATES, SubscriptionEvent)))
def test_every_subscription_state_and_event(state, event):
    source = source_with(state)
    target = SUBSCRIPTION.get((state, event), "refused")
    assert subscription_allows(state, event) is (target != "refused")
    if target == "refused":
        with pytest.raises(InvalidTransition, match=f"that is {state or 'none'} cannot be"):
            move_subscription(source, event)
        assert source.websub_state is state
    else:
        assert move_subscription(source, event) is target
        assert source.websub_state is target


@pytest.mark.parametrize(("state", "event"),
                         list(itertools.product(Cancellation, CancellationEvent)))
def test_every_cancellation_state_and_event(state, event):
    source = source_with(ACTIVE, state)
    before = (source.websub_drop_hub, source.websub_drop_topic,
              source.websub_drop_requested_at)
    target = CANCELLATION.get((state, event))
    assert cancellation_allows(source, event) is (target is not None)
    if target is None:
        with pytest.raises(InvalidTransition, match=f"that is {state} cannot be {event}"):
            move_cancellation(source, event, NOW)
        assert (source.websub_drop_hub, source.websub_drop_topic,
                source.websub_drop_requested_at) == before
        return
    assert move_cancellation(source, event, NOW) is target
    assert cancellation_of(source) is target
    assert (source.websub_drop_hub, source.websub_drop_topic,
            source.websub_drop_requested_at) == {
        Cancellation.NONE: (None, None, None),
        Cancellation.DUE: (HUB, TOPIC, None),  # what the subscription dropped was
        Cancellation.REQUESTED: (OLD_HUB, OLD_TOPIC, NOW),
    }[target]
    assert source.websub_state is ACTIVE  # the two run side by side


@pytest.mark.parametrize("state", STATES)
def test_a_hub_verifies_or_denies_only_a_pending_subscription(state):
    verified, denied = source_with(state), source_with(state)
    if state is PENDING:
        verify_intent(verified, "subscribe", TOPIC, "3600", NOW)
        hub_denied(denied, TOPIC)
        assert (verified.websub_state, denied.websub_state) == (ACTIVE, DENIED)
        assert (verified.websub_lease_expires_at - NOW).total_seconds() == 3600
        return
    with pytest.raises(NoSuchSubscription, match="no such subscription"):
        verify_intent(verified, "subscribe", TOPIC, "3600", NOW)
    with pytest.raises(NoSuchSubscription):
        hub_denied(denied, TOPIC)
    assert verified.websub_state is state and denied.websub_state is state


def test_a_verification_of_another_topic_or_for_a_disabled_source_is_refused():
    with pytest.raises(NoSuchSubscription):
        verify_intent(source_with(PENDING), "subscribe", "https://evil.example/", "1", NOW)
    disabled = source_with(PENDING)
    disabled.enabled = False
    with pytest.raises(NoSuchSubscription):
        verify_intent(disabled, "subscribe", TOPIC, "1", NOW)
    with pytest.raises(NoSuchSubscription):
        verify_intent(None, "subscribe", TOPIC, "1", NOW)
    assert disabled.websub_state is PENDING


@pytest.mark.parametrize("cancellation", list(Cancellation))
def test_a_hub_confirms_only_an_unsubscribe_we_sent(cancellation):
    source = source_with(ACTIVE, cancellation)
    if cancellation is Cancellation.REQUESTED:
        verify_intent(source, "unsubscribe", OLD_TOPIC, "", NOW)
        assert cancellation_of(source) is Cancellation.NONE
        return
    with pytest.raises(NoSuchSubscription):
        verify_intent(source, "unsubscribe", OLD_TOPIC, "", NOW)
    assert cancellation_of(source) is cancellation


@pytest.mark.parametrize("state", STATES)
def test_dropping_leaves_none_and_cancels_what_the_hub_may_hold(state):
    source = source_with(state)
    source.websub_lease_expires_at = NOW
    drop_subscription(source)
    assert (source.websub_state, source.websub_lease_expires_at) == (None, None)
    held = state in (PENDING, ACTIVE, FAILED)
    assert cancellation_of(source) is (Cancellation.DUE if held else Cancellation.NONE)
