"""The errors the editor raises to the person at the desk, each with its HTTP status.

`rabkor.editor.app` renders any of them (any `RabkorError`) as the error page with
`exc.status`; a handler that can do better — the form again, with what was typed and the
message beside it — catches its own and uses the same status.
"""

from __future__ import annotations

from rabkor.core.errors import RabkorError


class NotPermitted(RabkorError):
    """The user's role may not do this (decide on items, review translations, review their
    own work); an administrator can give another role."""

    status = 403


class ReasonRequired(RabkorError):
    """The action needs a reason (a rejection tells the correspondent and the archive why)."""

    status = 400


class PostEditConflict(RabkorError):
    """The translation is someone else's, or in a state that does not allow this."""

    status = 409


class AlreadyClaimed(PostEditConflict):
    """Another volunteer holds the item in this language; the message says who and until when."""


class IncompleteTranslation(RabkorError):
    """A submission leaves out a field the item has, or a return gives no note."""

    status = 400


class TextTooLong(RabkorError, ValueError):
    """A segment or a whole field is longer than any translation of the source needs."""

    status = 400


class ItemLocked(RabkorError):
    """Another editor holds a fresh review lock on the item (editor/locks.py)."""

    status = 409
