"""A volunteer translation's lifecycle as a table: one function applies it, as for the queue
(`rabkor.editor.workflow`).

A translation of an item into a language is in the state of its latest revision (None:
nothing saved yet). Saving or submitting adds a revision whose status the table gives;
reviewing changes the reviewed revision's status. So: a draft can be saved again or
submitted; a submission waits for an editor, who accepts it (readers see it) or returns it
with a note; returned and accepted work can be taken up again and resubmitted (an accepted
translation stays what readers see until a newer one is accepted). Nothing can be saved
over work awaiting review. `rabkor.editor.postedit` holds the rest of the rules: claims,
who may review, what a submission and a return need.
"""

from __future__ import annotations

import enum

from rabkor.core.store.kinds import RevisionStatus
from rabkor.editor.errors import PostEditConflict
from rabkor.editor.i18n import _, word


class Event(enum.StrEnum):
    SAVE = "save"  # the volunteer keeps a draft
    SUBMIT = "submit"  # the volunteer sends it for review
    ACCEPT = "accept"  # an editor accepts it: it replaces the machine's text
    RETURN = "return"  # an editor sends it back to its author with a note


DRAFT, SUBMITTED = RevisionStatus.DRAFT, RevisionStatus.SUBMITTED
ACCEPTED, RETURNED = RevisionStatus.ACCEPTED, RevisionStatus.RETURNED
EDITABLE = (None, DRAFT, RETURNED, ACCEPTED)

TRANSITIONS: dict[tuple[RevisionStatus | None, Event], RevisionStatus] = {
    **{(state, Event.SAVE): DRAFT for state in EDITABLE},
    **{(state, Event.SUBMIT): SUBMITTED for state in EDITABLE},
    (SUBMITTED, Event.ACCEPT): ACCEPTED,
    (SUBMITTED, Event.RETURN): RETURNED,
}


def allows(state: RevisionStatus | None, event: Event) -> bool:
    return (state, event) in TRANSITIONS


def after(state: RevisionStatus | None, event: Event) -> RevisionStatus:
    """The status `event` leads to from `state`; PostEditConflict if it is not allowed."""
    target = TRANSITIONS.get((state, event))
    if target is not None:
        return target
    if state is SUBMITTED:
        raise PostEditConflict(_("this translation is awaiting review; it can be edited "
                                 "again if an editor returns it"))
    if state is None:
        raise PostEditConflict(_("this translation is not saved yet, not awaiting review"))
    raise PostEditConflict(_("this translation is {status}, not awaiting review").format(
        status=word(state)))
