"""The kinds and states a row can have, and the clock, without SQLAlchemy.

The crawler's parse workers build drafts with a `MediaKind` and stamp times; importing
them from here, not from models.py, keeps SQLAlchemy (about 25 MB) out of every worker.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


# The engine recorded for a "translation" stored as it is because the text is already in
# the target language (translate/detect.py); pages show such a text without a label.
UNCHANGED = "unchanged"


class ItemStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class MediaKind(enum.StrEnum):
    ARTICLE = "article"
    AUDIO = "audio"
    VIDEO = "video"
    LECTURE = "lecture"


class Role(enum.StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    TRANSLATOR = "translator"
    CORRESPONDENT = "correspondent"


class SubmissionStatus(enum.StrEnum):
    PENDING = "pending"
    FETCHED = "fetched"
    REJECTED = "rejected"


class RevisionStatus(enum.StrEnum):
    """A volunteer's translation: saved, sent for review, then accepted or returned."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
