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


class AssignmentKind(enum.StrEnum):
    """What an assignment list divides (editor/assignments.py)."""

    WATCH = "watch"  # sources to watch for what they publish
    COVER = "cover"  # topics or regions to cover
    TRANSLATE = "translate"  # items to translate into the list's language
    CHECK = "check"  # links to check


class TaskState(enum.StrEnum):
    """A task's life (editor/assignments.py TRANSITIONS): open → claimed → done, or back to
    open when its holder gives it back or their claim expires."""

    OPEN = "open"
    CLAIMED = "claimed"
    DONE = "done"


class ConsentKind(enum.StrEnum):
    """What a correspondent may agree to, each apart (editor/correspondents.py)."""

    CREDIT = "credit"  # my name on the items I brought in
    PUBLIC_PROFILE = "public profile"  # my profile page on the site
    CONTACT = "contact"  # the editors may write to me


class RuleKind(enum.StrEnum):
    """The desk's rules (editor/rules.py); a blocked domain also turns submissions away
    (core/submissions.py)."""

    TRUSTED = "trusted source"
    BLOCKED = "blocked domain"
    KEYWORDS = "keywords"
    PATTERN = "pattern"


class SubmissionStatus(enum.StrEnum):
    """A correspondent's link from the moment it is sent to the desk's decision on its
    item (the transitions: core/submissions.py)."""

    RECEIVED = "received"  # sent, waiting for the crawler
    FETCHED = "fetched"  # its page is an item in the editors' queue
    PUBLISHED = "published"  # its item was approved
    REJECTED = "rejected"  # its item, or the link itself, was turned down
    DUPLICATE = "duplicate"  # the link was already in the store: see its item
    FAILED = "failed"  # the page could not be fetched or read (the reason kept)
    WITHDRAWN = "withdrawn"  # its correspondent took it back before a decision


class LinkKind(enum.StrEnum):
    """What a submitted link turned out to be (crawler/submissions/recognise.py)."""

    ARTICLE = "article"
    VIDEO = "video"  # a YouTube or PeerTube video
    AUDIO = "audio"  # an audio file or a podcast episode
    PDF = "pdf"
    FEED = "feed"  # a feed: the editors are offered to add it as a source
    SITE = "site"  # a page without an article that names feeds: likewise


class TokenKind(enum.StrEnum):
    """A correspondent's secret for a door that has no session (core/tokens.py)."""

    API = "api"  # POST /api/v1/submissions
    FEED = "feed"  # the private Atom feed of their submissions' states


class NoticeState(enum.StrEnum):
    """An e-mail notice of a decision on a correspondent's link (editor/notices.py): sent,
    or failed with the reason (tried again a bounded number of times), or dropped unsent
    when it no longer applies."""

    PENDING = "pending"  # queued with the decision, not tried yet
    SENT = "sent"  # the mail server took it
    FAILED = "failed"  # the last try failed (the reason kept); retried while attempts last
    DROPPED = "dropped"  # not sent: decided again since, the address gone, no mail server


class RevisionStatus(enum.StrEnum):
    """A volunteer's translation: saved, sent for review, then accepted or returned
    (editor/revisions.py)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class WebSubState(enum.StrEnum):
    """A source's subscription at its WebSub hub (crawler/websub/lifecycle.py); NULL: none."""

    PENDING = "pending"  # asked for; the hub has not verified it yet
    ACTIVE = "active"  # verified: the hub pushes until the lease ends
    DENIED = "denied"  # the hub refused: not asked again until the hub or topic changes
    FAILED = "failed"  # the request did not reach the hub or was refused; asked again later


class StatsMonthState(enum.StrEnum):
    """A month of readership statistics (rabkor.stats.months): counting with its salt,
    closed (its report written, its salt destroyed), then purged (its single views dropped
    after the retention days; the report stays)."""

    OPEN = "open"
    CLOSED = "closed"
    PURGED = "purged"
