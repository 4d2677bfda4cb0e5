"""The domain as SQLAlchemy 2 models: the store is the single source of truth."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from rabkor.core.store.kinds import (
    AssignmentKind,
    ConsentKind,
    ItemStatus,
    LinkKind,
    MediaKind,
    NoticeState,
    RevisionStatus,
    Role,
    StatsMonthState,
    SubmissionStatus,
    TaskState,
    TokenKind,
    WebSubState,
    utcnow,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UTCDateTime()}


def _enum(cls: type[enum.Enum]) -> Enum:
    """Store enums by value, as plain strings, so the database reads without Python."""
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False,
                validate_strings=True, length=20)


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_url: Mapped[str] = mapped_column(String(2048), unique=True)
    site_url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[MediaKind] = mapped_column(_enum(MediaKind), default=MediaKind.ARTICLE)
    category: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    editorial_comment: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_fetched_at: Mapped[datetime | None]
    next_fetch_at: Mapped[datetime | None] = mapped_column(index=True)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # scheduling (crawler/sources/schedule.py): seconds between polls, the measured update rate,
    # the least interval the server asked for (TTL, max-age, Retry-After), and health
    poll_interval: Mapped[int | None] = mapped_column(Integer)
    items_per_day: Mapped[float | None] = mapped_column(Float)
    server_interval: Mapped[int | None] = mapped_column(Integer)
    failing_since: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Fetch each item's page for its full text: True, False, or None = when content is short.
    full_text: Mapped[bool | None] = mapped_column(Boolean)
    # "feed", or "sitemap" for a site without feeds (crawler/sitemap/spider.py), whose article
    # URLs are chosen by url_rules: {"include": [regex, …], "exclude": [regex, …]}.
    fetch_mode: Mapped[str] = mapped_column(String(20), default="feed",
                                            server_default="feed")
    url_rules: Mapped[dict | None] = mapped_column(JSON)
    # WebSub (crawler/websub/hub.py): the advertised hub and topic, our per-source HMAC
    # secret, the subscription's state (WebSubState; NULL: none) and its lease.
    websub_hub: Mapped[str | None] = mapped_column(String(2048))
    websub_topic: Mapped[str | None] = mapped_column(String(2048))
    websub_secret: Mapped[str | None] = mapped_column(String(100))
    websub_state: Mapped[WebSubState | None] = mapped_column(_enum(WebSubState))
    websub_requested_at: Mapped[datetime | None]
    websub_lease_expires_at: Mapped[datetime | None]
    # a subscription to cancel (source disabled, hub changed) and when we asked the hub
    websub_drop_hub: Mapped[str | None] = mapped_column(String(2048))
    websub_drop_topic: Mapped[str | None] = mapped_column(String(2048))
    websub_drop_requested_at: Mapped[datetime | None]
    # HTTP basic auth for a feed behind it, kept apart from feed_url (never shown or exported)
    fetch_username: Mapped[str | None] = mapped_column(String(500))
    fetch_password: Mapped[str | None] = mapped_column(String(500))

    items: Mapped[list[Item]] = relationship(back_populates="source")

    @property
    def credentials(self) -> tuple[str, str] | None:
        """(user, password) for the feed's HTTP basic auth, or None."""
        if self.fetch_username is None and self.fetch_password is None:
            return None
        return self.fetch_username or "", self.fetch_password or ""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the language of the translation the queue shows beside originals (None: the first
    # site language unlike the original)
    review_language: Mapped[str | None] = mapped_column(String(16))
    # the language the desk's pages are in (None: the one the browser asks for)
    ui_language: Mapped[str | None] = mapped_column(String(16))
    # a correspondent's profile (core/correspondents.py): who invited them, where they
    # are, the languages they read and write, whom they belong to, a few public words
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_users_invited_by_id_users", ondelete="SET NULL"))
    applied_at: Mapped[datetime | None]  # open registration: waiting for an editor
    country: Mapped[str] = mapped_column(String(100), default="", server_default="")
    reads: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    writes: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    affiliations: Mapped[str] = mapped_column(Text, default="", server_default="")
    bio: Mapped[str] = mapped_column(Text, default="", server_default="")
    # the consents as they stand now; each change is a row of `consents` with its wording
    credit_consent: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=sa_false())
    public_profile: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=sa_false())
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False,
                                                  server_default=sa_false())
    # where the desk's decisions on their links are told (editor/notices.py), and whether
    # they want that; never shown on the site
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    notices: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # an editor suspended the account: it cannot sign in or submit, and its links that
    # wait leave the queue (editor/suspend.py)
    suspended_at: Mapped[datetime | None]

    invited_by: Mapped[User | None] = relationship(remote_side="User.id")


class Consent(Base):
    """A consent given or withdrawn, with the words the person was shown and when: the
    record that they agreed (the current state is on the user's row)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", name="fk_consents_user_id_users"),
        index=True)
    kind: Mapped[ConsentKind] = mapped_column(_enum(ConsentKind))
    given: Mapped[bool] = mapped_column(Boolean)
    wording: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Invitation(Base):
    """A one-time link with which someone makes their own correspondent's account,
    choosing their name (an administrator's AccountLink opens an account made for them).
    Its life: open → used (by whom: the invitation tree), or revoked, or past its expiry.
    Only the token's hash is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", name="fk_invitations_created_by_id_users"),
        index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", name="fk_invitations_used_by_id_users"))
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    used_by: Mapped[User | None] = relationship(foreign_keys=[used_by_id])


class AssignmentList(Base):
    """A piece of the desk's work divided into tasks that correspondents and translators
    claim one at a time (editor/assignments.py)."""

    __tablename__ = "assignment_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[AssignmentKind] = mapped_column(_enum(AssignmentKind))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(16))  # a translation list's target
    claim_days: Mapped[int] = mapped_column(Integer, default=7)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL",
                   name="fk_assignment_lists_created_by_id_users"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    tasks: Mapped[list[Task]] = relationship(back_populates="assignment",
                                             order_by="Task.id")


class Task(Base):
    """One task of a list: what to do (a source, a topic or region, an item, a link), who
    holds it until when, and its result once done. Claiming is one conditional UPDATE,
    so that of two people claiming at once exactly one wins."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment_lists.id", ondelete="CASCADE",
                   name="fk_tasks_assignment_id_assignment_lists"), index=True)
    target: Mapped[str] = mapped_column(String(2048))
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL", name="fk_tasks_source_id_sources"))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL", name="fk_tasks_item_id_items"))
    state: Mapped[TaskState] = mapped_column(_enum(TaskState), default=TaskState.OPEN)
    holder_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", name="fk_tasks_holder_id_users"),
        index=True)
    claimed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    result: Mapped[str] = mapped_column(Text, default="", server_default="")

    assignment: Mapped[AssignmentList] = relationship(back_populates="tasks")
    holder: Mapped[User | None] = relationship()


class Affiliation(Base):
    """A correspondent's organisation that is in the directory (the free-text ones are
    on the user's row)."""

    __tablename__ = "affiliations"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", name="fk_affiliations_user_id_users"),
        primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE", name="fk_affiliations_source_id_sources"),
        primary_key=True)


class Submission(Base):
    """A link sent by a correspondent; the crawler fetches it and makes it an item, or
    finds it already in the store, or keeps why it failed (core/submissions.py)."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    # the URL as uniqueness sees it: the same link sent twice within 30 days is refused
    url_key: Mapped[str | None] = mapped_column(String(2048), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(16))
    topic: Mapped[str | None] = mapped_column(String(200))
    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    submitter_name: Mapped[str | None] = mapped_column(String(200))
    # the submitter deleted their account: credited to "a former correspondent"
    submitter_gone: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=sa_false())
    status: Mapped[SubmissionStatus] = mapped_column(
        _enum(SubmissionStatus), default=SubmissionStatus.RECEIVED, index=True
    )
    # the item made from the link, or the one it duplicates
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL", name="fk_submissions_item_id_items",
                   use_alter=True))  # items point back at their submission
    kind: Mapped[LinkKind | None] = mapped_column(_enum(LinkKind))
    feeds: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    error: Mapped[str | None] = mapped_column(Text)  # why the last fetch failed
    reason: Mapped[str | None] = mapped_column(String(100))  # the desk's reason code
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fetched_at: Mapped[datetime | None]  # the last fetch, whatever came of it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow)  # the last move

    submitter: Mapped[User | None] = relationship()
    item: Mapped[Item | None] = relationship(foreign_keys=[item_id])
    events: Mapped[list[SubmissionEvent]] = relationship(
        order_by="SubmissionEvent.id", cascade="all, delete-orphan",
        back_populates="submission")


class SubmissionEvent(Base):
    """A state a submission entered, when, and what came with it (the item's place, the
    failure's reason): what "my submissions" and its Atom feed show."""

    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE",
                   name="fk_submission_events_submission_id_submissions"), index=True)
    status: Mapped[SubmissionStatus] = mapped_column(_enum(SubmissionStatus))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")

    submission: Mapped[Submission] = relationship(back_populates="events")


class Notice(Base):
    """An e-mail telling a correspondent a decision on their link: the state it entered
    (its event), sent off the request path by the pipeline's cycle, with its attempts and
    the last failure's reason (editor/notices.py)."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_state_next_attempt_at", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", name="fk_notices_user_id_users"),
        index=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("submission_events.id", ondelete="CASCADE",
                   name="fk_notices_event_id_submission_events"), index=True)
    state: Mapped[NoticeState] = mapped_column(_enum(NoticeState), default=NoticeState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reason: Mapped[str | None] = mapped_column(Text)  # why the last try failed, or the drop
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=utcnow)  # None: no more
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(300))

    event: Mapped[SubmissionEvent] = relationship()


class ApiToken(Base):
    """A correspondent's secret for the submissions API or their private feed: shown
    once, only its hash kept, revoked when renewed (core/tokens.py)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", name="fk_api_tokens_user_id_users"),
        index=True)
    kind: Mapped[TokenKind] = mapped_column(_enum(TokenKind))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("source_id", "guid", name="uq_items_source_guid"),
        Index("ix_items_status_published", "status", "published_at"),
        # every listing (the queue, the site) in order, and the queue's counts and facets
        # from the index alone instead of 20,000 rows
        Index("ix_items_listing", "status", "duplicate_of_id", "sort_at", "id", "language",
              "media_kind", "source_id", "submission_id"),
        # an item's copies, decided with it
        Index("ix_items_duplicate_of", "duplicate_of_id",
              sqlite_where=text("duplicate_of_id IS NOT NULL"),
              postgresql_where=text("duplicate_of_id IS NOT NULL")),
        UniqueConstraint("canonical_url", name="uq_items_canonical_url"),
        # near-duplicate lookups compare with root items only (crawler/store/items.py)
        *(Index(f"ix_items_root_band{n}", f"simhash_band{n}",
                sqlite_where=text("duplicate_of_id IS NULL"),
                postgresql_where=text("duplicate_of_id IS NULL")) for n in range(4)),
        Index("ix_items_guid", "guid"),  # globally unique GUIDs, looked up in any source
        # the few items whose article page is still to fetch (crawler/fetch/pages.py)
        Index("ix_items_page_pending", "source_id",
              sqlite_where=text("page_attempts IS NOT NULL"),
              postgresql_where=text("page_attempts IS NOT NULL")),
        # a source's published items in order (the site's source pages, site/listings.py)
        Index("ix_items_source_sort", "source_id", "status", "sort_at", "id"),
        # the pending items the desk's rules have not read yet, in order (editor/rules.py)
        Index("ix_items_unruled", "status", "id",
              sqlite_where=text("ruled_at IS NULL"), postgresql_where=text("ruled_at IS NULL")),
        # the home page's featured items, in the desk's order
        Index("ix_items_featured", "featured_order",
              sqlite_where=text("featured_order IS NOT NULL"),
              postgresql_where=text("featured_order IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    guid: Mapped[str | None] = mapped_column(String(2048))
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    media_kind: Mapped[MediaKind] = mapped_column(_enum(MediaKind), default=MediaKind.ARTICLE)
    enclosure_url: Mapped[str | None] = mapped_column(String(2048))
    enclosure_type: Mapped[str | None] = mapped_column(String(200))
    enclosure_length: Mapped[int | None] = mapped_column(Integer)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    image_url: Mapped[str | None] = mapped_column(String(2048))
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the item's moment for every listing: published, or fetched when undated (0013)
    sort_at: Mapped[datetime | None] = mapped_column(
        Computed("coalesce(published_at, fetched_at)", persisted=True))
    language: Mapped[str | None] = mapped_column(String(16))
    language_confidence: Mapped[float | None] = mapped_column(Float)
    # The URL as uniqueness sees it (rabkor.crawler.analyse.canonical); `url` stays as published.
    canonical_url: Mapped[str | None] = mapped_column(String(2048))
    speaker: Mapped[str | None] = mapped_column(String(500))
    extraction_error: Mapped[str | None] = mapped_column(Text)
    # Article page wanted and not answered yet: the retries started (NULL: none pending).
    page_attempts: Mapped[int | None] = mapped_column(Integer)
    # 64-bit SimHash of title and text (signed), and its four 16-bit bands for lookup.
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    simhash_band0: Mapped[int | None] = mapped_column(Integer)
    simhash_band1: Mapped[int | None] = mapped_column(Integer)
    simhash_band2: Mapped[int | None] = mapped_column(Integer)
    simhash_band3: Mapped[int | None] = mapped_column(Integer)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", name="fk_items_duplicate_of_id_items"))
    status: Mapped[ItemStatus] = mapped_column(_enum(ItemStatus), default=ItemStatus.PENDING)
    translated_at: Mapped[datetime | None]
    indexed_at: Mapped[datetime | None]
    ruled_at: Mapped[datetime | None]  # when the desk's rules last read it (editor/rules.py)
    # on the home page when set, smallest first (editor/topics.py); NULL: not featured
    featured_order: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    source: Mapped[Source | None] = relationship(back_populates="items")
    submission: Mapped[Submission | None] = relationship(foreign_keys=[submission_id])
    translations: Mapped[list[Translation]] = relationship(
        back_populates="item", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[Decision]] = relationship(back_populates="item")
    topics: Mapped[list[Topic]] = relationship(secondary="item_topics", order_by="Topic.slug")

    def translation(self, field: str, language: str) -> Translation | None:
        for t in self.translations:
            if t.field == field and t.language == language:
                return t
        return None


class ItemSource(Base):
    """Every source that carried an item: the same story from several feeds is one item."""

    __tablename__ = "item_sources"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE", name="fk_item_sources_item_id_items"),
        primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE", name="fk_item_sources_source_id_sources"),
        primary_key=True, index=True)
    guid: Mapped[str | None] = mapped_column(String(2048))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Translation(Base):
    """One field of one item in one language; a human edit supersedes the machine's."""

    __tablename__ = "translations"
    __table_args__ = (
        UniqueConstraint("item_id", "field", "language", name="uq_translations_item_field_lang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(16))
    source_language: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    engine: Mapped[str] = mapped_column(String(50))
    model_version: Mapped[str] = mapped_column(String(200), default="")
    # the language a machine translation went through ("en"), None when direct (routing.py)
    pivot: Mapped[str | None] = mapped_column(String(16))
    is_human: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the editor who accepted a volunteer's translation (editor/postedit.py)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_translations_reviewed_by_id_users"))
    reviewed_at: Mapped[datetime | None]

    item: Mapped[Item] = relationship(back_populates="translations")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class TranslationClaim(Base):
    """Who is translating an item into a language now: the unique key lets only one hold it."""

    __tablename__ = "translation_claims"
    __table_args__ = (
        UniqueConstraint("item_id", "language", name="uq_translation_claims_item_lang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE", name="fk_translation_claims_item_id_items"))
    language: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", name="fk_translation_claims_user_id_users"),
        index=True)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship()


class TranslationRevision(Base):
    """One saved state of a volunteer's translation of an item into a language: the history.

    `segments` keeps the sentence-by-sentence text ({field: [segment, ...]}) so the editing
    page can show a draft again as it was typed; title, summary and content are the joined
    texts an editor reviews and the site shows once accepted.
    """

    __tablename__ = "translation_revisions"
    __table_args__ = (
        Index("ix_translation_revisions_item_lang", "item_id", "language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE", name="fk_translation_revisions_item_id_items"))
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    segments: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[RevisionStatus] = mapped_column(_enum(RevisionStatus), index=True)
    author_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", name="fk_translation_revisions_author_id_users"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_translation_revisions_reviewer_id_users"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])


class Decision(Base):
    """The audit trail: who decided what about an item, when and why."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: by a rule
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("rules.id", ondelete="SET NULL", name="fk_decisions_rule_id_rules"))
    action: Mapped[str] = mapped_column(String(20))
    # why a rejection: one of the desk's reason codes (ReasonCode); `reason` adds words
    reason_code: Mapped[str | None] = mapped_column(
        ForeignKey("reason_codes.code", name="fk_decisions_reason_code_reason_codes"))
    from_status: Mapped[ItemStatus] = mapped_column(_enum(ItemStatus))
    to_status: Mapped[ItemStatus] = mapped_column(_enum(ItemStatus))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[Item] = relationship(back_populates="decisions")
    editor: Mapped[User | None] = relationship()
    rule: Mapped[Rule | None] = relationship()

    @property
    def by(self) -> str:
        """Who decided: the editor's name, or the rule's."""
        if self.editor is not None:
            return self.editor.username
        return f"rule {self.rule.label}" if self.rule is not None else "a rule since removed"


class Rule(Base):
    """A rule of the desk, applied to items as they arrive (editor/rules.py): a trusted
    source approves, a blocked domain rejects, keywords or a pattern flag or reject."""

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    pattern: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))  # None: items in any language
    action: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(200))
    reason_code: Mapped[str | None] = mapped_column(
        ForeignKey("reason_codes.code", name="fk_rules_reason_code_reason_codes"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_rules_created_by_id_users"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class RuleHit(Base):
    """A rule that touched an item, and what it did: shown with the item, and the queue's
    "flagged by" filter."""

    __tablename__ = "rule_hits"
    __table_args__ = (UniqueConstraint("item_id", "rule_id", name="uq_rule_hits_item_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # looked up by item through the unique key, whose first column it is
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE", name="fk_rule_hits_item_id_items"))
    rule_id: Mapped[int] = mapped_column(
        ForeignKey("rules.id", ondelete="CASCADE", name="fk_rule_hits_rule_id_rules"),
        index=True)
    action: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rule: Mapped[Rule] = relationship()


class SavedFilter(Base):
    """A queue filter an editor named, with the token of its private Atom feed (hashed;
    none when revoked)."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_filters_user_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", name="fk_saved_filters_user_id_users"))
    name: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict] = mapped_column(JSON)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class Category(Base):
    """A source's tendency or category, from a list the administrators keep: a source names
    one (`Source.category`); a category in use is retired, never deleted."""

    __tablename__ = "categories"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Topic(Base):
    """A topic of the desk's managed vocabulary, with its name in every site language
    ({"en": "Strikes", "es": "Huelgas", …}); items are given topics by editors."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    names: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.slug


class ItemTopic(Base):
    __tablename__ = "item_topics"
    __table_args__ = (Index("ix_item_topics_topic_id", "topic_id", "item_id"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE", name="fk_item_topics_item_id_items"),
        primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE", name="fk_item_topics_topic_id_topics"),
        primary_key=True)


class ReasonCode(Base):
    """Why an item is rejected, from a vocabulary the administrators keep (a code used by
    decisions is retired, never deleted)."""

    __tablename__ = "reason_codes"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class AccountLink(Base):
    """A one-time link that lets a person set their password: an invitation to a new
    account or a reset of an existing one (editor/users.py). Only its hash is stored."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", name="fk_account_links_user_id_users"))
    purpose: Mapped[str] = mapped_column(String(20))  # "invitation" or "reset"
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_account_links_created_by_id_users"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ReviewLock(Base):
    """An editor reviewing an item now (editor/locks.py): others see who and since when, and
    wait for it to expire or take it over."""

    __tablename__ = "review_locks"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE", name="fk_review_locks_item_id_items"),
        primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", name="fk_review_locks_user_id_users"))
    taken_at: Mapped[datetime]
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship()


class ItemNote(Base):
    """An internal note on an item, for the editorial roles only, never on the site."""

    __tablename__ = "item_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE", name="fk_item_notes_item_id_items"),
        index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id",
                                                      name="fk_item_notes_author_id_users"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class AuditEvent(Base):
    """Something done on the desk, with who, when, and the state before and after: lock
    takeovers (decisions and notes have their own tables, listed with these)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_audit_events_actor_id_users"))
    action: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE", name="fk_audit_events_item_id_items"),
        index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()


class WebSession(Base):
    """A server-side login session: deleting the row is what logging out means."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    user: Mapped[User | None] = relationship()


class TranslationMemoryEntry(Base):
    """One translated sentence, so boilerplate and re-crawled items are never translated twice.

    Keyed by the hash of the normalized sentence, the pair and the model version
    ("human" for accepted volunteer translations, which win over any machine's).
    """

    __tablename__ = "translation_memory"
    __table_args__ = (
        UniqueConstraint("key_hash", "source_language", "target_language", "model_version",
                         name="uq_translation_memory_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    source_language: Mapped[str] = mapped_column(String(16))
    target_language: Mapped[str] = mapped_column(String(16))
    model_version: Mapped[str] = mapped_column(String(200))
    source_text: Mapped[str] = mapped_column(Text)
    target_text: Mapped[str] = mapped_column(Text)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


class TranslationFailure(Base):
    """A text an engine failed on: retried with back-off after `next_attempt_at`."""

    __tablename__ = "translation_failures"
    __table_args__ = (
        UniqueConstraint("item_id", "field", "language",
                         name="uq_translation_failures_item_field_lang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE", name="fk_translation_failures_item_id_items"))
    field: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StatsMonth(Base):
    """A month of readership statistics. Its salt keys visitors (a hash of the salt, the
    address and the user agent) and lives only here; closing the month writes its report
    and sets the salt to NULL, so no stored key can be linked to an address again."""

    __tablename__ = "stats_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    state: Mapped[StatsMonthState] = mapped_column(_enum(StatsMonthState),
                                                   default=StatsMonthState.OPEN)
    salt: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # the site languages in the order of stats_visitors.departments' bits
    departments: Mapped[list] = mapped_column(JSON, default=list)
    dropped_views: Mapped[int] = mapped_column(BigInteger, default=0)
    # the thresholds in force when the month opened: its rollups are kept by them
    heavy_hitter_pages: Mapped[int] = mapped_column(Integer, default=1000)
    burst_pages: Mapped[int] = mapped_column(Integer, default=30)
    report: Mapped[dict | None] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    purged_at: Mapped[datetime | None]


class PageView(Base):
    """One request to the public site (or one line of an imported log), as the report
    needs it and nothing more about the reader than a visitor key. Seconds since the epoch
    keep ten million rows a month small; dropped `stats_retention_days` after the month
    closes."""

    __tablename__ = "page_views"
    __table_args__ = (Index("ix_page_views_visitor_at", "visitor", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    at: Mapped[int] = mapped_column(BigInteger, index=True)
    path: Mapped[str] = mapped_column(String(300))
    department: Mapped[str] = mapped_column(String(16), default="")
    item_id: Mapped[int | None] = mapped_column(Integer)
    listing: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(8))  # page, feed, asset, robots, error, other
    status: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    referrer_host: Mapped[str | None] = mapped_column(String(255))
    agent: Mapped[str] = mapped_column(String(8))  # browser, feed, robot, unknown
    visitor: Mapped[int | None] = mapped_column(BigInteger)  # None: Do Not Track / GPC


class StatsVisitor(Base):
    """A visitor key's month, kept in step with each batch of views: what decides whether
    it is a reader, a robot by behaviour or a heavy hitter, and on which days and in which
    departments it read (bit masks), so the report never scans the single views."""

    __tablename__ = "stats_visitors"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    visitor: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    agent: Mapped[str] = mapped_column(String(8))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    feeds: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    days: Mapped[int] = mapped_column(BigInteger, default=0)  # bit d-1: seen on day d
    read_days: Mapped[int] = mapped_column(BigInteger, default=0)  # a page or feed that day
    departments: Mapped[int] = mapped_column(BigInteger, default=0)
    robots_txt: Mapped[bool] = mapped_column(Boolean, default=False)
    # the latest clock minute with a page: whether a batch's pages may share a burst's 60
    # seconds with stored ones (read from page_views then)
    minute: Mapped[int] = mapped_column(BigInteger, default=0)
    # no longer written: bursts became a sliding window (kept to spare a migration)
    minute_pages: Mapped[int] = mapped_column(Integer, default=0)
    peak_minute_pages: Mapped[int] = mapped_column(Integer, default=0)  # most within 60 s


class StatsDay(Base):
    """Requests and bytes of a day by department, kind, agent class and why they are left
    out ('' counted, or behaviour, heavy: the key's views move when it becomes one)."""

    __tablename__ = "stats_days"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    department: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    agent: Mapped[str] = mapped_column(String(8), primary_key=True)
    left_out: Mapped[str] = mapped_column(String(9), primary_key=True)
    hits: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsTop(Base):
    """Pages of a month by item, path or referrer host, agent class and why left out."""

    __tablename__ = "stats_tops"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    agent: Mapped[str] = mapped_column(String(8), primary_key=True)
    left_out: Mapped[str] = mapped_column(String(9), primary_key=True)
    pages: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsCount(Base):
    """The distinct counts of a month kept in step with its visitor keys (each batch adds
    what a key's change adds to them: readers, readers of each day and department, keys
    seen each day, robots by behaviour, heavy hitters), so the report reads a few rows
    whatever the number of keys."""

    __tablename__ = "stats_counts"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsImport(Base):
    """A log file imported, known by the hash of its first lines: importing it again
    reads only the lines past those already counted."""

    __tablename__ = "stats_imports"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    lines: Mapped[int] = mapped_column(BigInteger, default=0)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
