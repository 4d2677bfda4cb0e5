"""A correspondent's submission (core/submissions.py): the whole state × event grid on real
rows, each move a row of the submission's history; the site's form takes every submission
in as received (tests/site/test_submissions.py)."""

from __future__ import annotations

import itertools

import pytest

from rabkor.core import submissions
from rabkor.core.errors import InvalidTransition
from rabkor.core.store.models import Submission, SubmissionStatus
from rabkor.core.submissions import TRANSITIONS, Event, allows, move

GRID = list(itertools.product(SubmissionStatus, Event))


def test_the_table_holds_the_expected_moves():
    S = SubmissionStatus
    expected = {
        (S.RECEIVED, Event.FETCHED): S.FETCHED,
        (S.RECEIVED, Event.ALREADY_STORED): S.DUPLICATE,
        (S.RECEIVED, Event.FETCH_FAILED): S.FAILED,
        (S.FAILED, Event.RETRY): S.RECEIVED,
        (S.RECEIVED, Event.REFUSED): S.REJECTED,
        (S.FAILED, Event.REFUSED): S.REJECTED,
        (S.FETCHED, Event.REFUSED): S.REJECTED,
        (S.FETCHED, Event.APPROVED): S.PUBLISHED,
        (S.FETCHED, Event.REJECTED): S.REJECTED,
        (S.PUBLISHED, Event.REJECTED): S.REJECTED,
        (S.REJECTED, Event.APPROVED): S.PUBLISHED,
        (S.PUBLISHED, Event.REOPENED): S.FETCHED,
        (S.REJECTED, Event.REOPENED): S.FETCHED,
        **{(state, Event.WITHDRAWN): S.WITHDRAWN for state in (S.RECEIVED, S.FETCHED,
                                                               S.FAILED)},
        **{(state, Event.SUSPENDED): S.REJECTED for state in (S.RECEIVED, S.FETCHED,
                                                              S.FAILED)},
    }
    assert dict(TRANSITIONS) == expected
    assert submissions.RECEIVED is S.RECEIVED


@pytest.mark.parametrize(("status", "event"), GRID)
def test_every_state_and_event(store, status, event):
    with store.transaction() as s:
        submission = Submission(url="https://e.org/a", status=status)
        s.add(submission)
        s.flush()
        submission_id = submission.id
    target = TRANSITIONS.get((status, event))
    assert allows(status, event) is (target is not None)
    with store.transaction() as s:
        submission = s.get(Submission, submission_id)
        if target is None:
            with pytest.raises(InvalidTransition, match=f"submission {submission_id} is "
                                                        f"{status.value}; {event.value} does"):
                move(submission, event, "why")
        else:
            assert move(submission, event, "why") is target
    with store.read() as s:
        saved = s.get(Submission, submission_id)
        assert saved.status is (target or status)
        assert [(e.status, e.detail) for e in saved.events] == (
            [(target, "why")] if target else [])
