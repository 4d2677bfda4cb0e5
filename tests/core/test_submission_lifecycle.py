"""A correspondent's submission (core/submissions.py): the whole state × event grid on real
rows; the site's form takes every submission in as pending (tests/site/test_submissions.py)."""

from __future__ import annotations

import itertools

import pytest

from rabkor.core import submissions
from rabkor.core.errors import InvalidTransition
from rabkor.core.store.models import Submission, SubmissionStatus
from rabkor.core.submissions import TRANSITIONS, Event, allows, move

GRID = list(itertools.product(SubmissionStatus, Event))


def test_the_table_holds_the_expected_moves():
    expected = {
        (SubmissionStatus.PENDING, Event.FETCH_SUCCEEDED): SubmissionStatus.FETCHED,
        (SubmissionStatus.PENDING, Event.FETCH_FAILED): SubmissionStatus.REJECTED,
        (SubmissionStatus.PENDING, Event.REFUSED): SubmissionStatus.REJECTED,
    }
    assert dict(TRANSITIONS) == expected
    assert submissions.RECEIVED is SubmissionStatus.PENDING


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
                                                        f"{status.value}; only a pending"):
                move(submission, event)
        else:
            assert move(submission, event) is target
    with store.read() as s:
        assert s.get(Submission, submission_id).status is (target or status)
