"""The source directory as the desk sees it (the seed's directory of organisations): the
sources in pages, each with its health and its items, their classification edited by hand,
and the managed list of categories (tendencies) a source is filed under.

Adding, importing, exporting, enabling and disabling are the crawler's (autodiscovery, the
address guard, the health table): the combined server hands the editor an `Intake` that
does them (rabkor.crawler.sources.desk), since the editor may not import the crawler.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from rabkor.core.errors import AlreadyExists, InvalidInput, NotFound
from rabkor.core.languages import language_code
from rabkor.core.store.models import Category, Item, MediaKind, Source, User
from rabkor.core.text.html import plain_text
from rabkor.core.text.urls import safe_url
from rabkor.editor.audit import record
from rabkor.editor.i18n import N_, _, number, word

PAGE = 50
MAX_TEXT = 20_000  # a self-description or an editorial comment
EDITABLE = ("title", "language", "kind", "category", "site_url", "description",
            "editorial_comment", "full_text")
FULL_TEXT = {"auto": None, "always": True, "never": False}  # the form's words and the column


class Intake(Protocol):
    """What the directory needs from the crawler."""

    max_opml_bytes: int  # the largest OPML file its parser reads

    def add_from_site(self, url: str, *, pick: int | None = None, add_all: bool = False,
                      kind: str | None = None, **fields: object): ...

    def import_opml(self, session: Session, data: bytes) -> list[Source]: ...

    def export_opml(self, session: Session) -> bytes: ...

    def enable(self, session: Session, source_id: int) -> Source: ...

    def disable(self, session: Session, source_id: int) -> Source: ...

    def state(self, source: Source) -> str: ...


@dataclass(frozen=True)
class Listed:
    source: Source
    state: str
    pending: int
    approved: int


@dataclass(frozen=True)
class DirectoryPage:
    rows: list[Listed]
    next_after: str | None  # the cursor of the next page: "<title>\x1f<id>"


def directory(session: Session, intake: Intake, *, text: str = "", category: str = "",
              state: str = "", after: str = "", limit: int = PAGE) -> DirectoryPage:
    """A page of sources in title order, after the cursor `after` (no OFFSET: a directory
    of tens of thousands is paged by where the last page stopped), with their items'
    counts; `state` is a health word ("ok", "failing", "never fetched", "disabled")."""
    q = select(Source)
    if text:
        like = f"%{text.strip()[:200]}%"
        q = q.where(or_(Source.title.ilike(like), Source.feed_url.ilike(like),
                        Source.site_url.ilike(like), Source.description.ilike(like)))
    if category:
        q = q.where(Source.category == category)
    if state == "disabled":
        q = q.where(Source.enabled.is_(False))
    elif state == "never fetched":
        q = q.where(Source.enabled.is_(True), Source.last_fetched_at.is_(None))
    elif state == "failing":
        q = q.where(Source.enabled.is_(True), Source.last_error.is_not(None))
    elif state == "ok":
        q = q.where(Source.enabled.is_(True), Source.last_fetched_at.is_not(None),
                    Source.last_error.is_(None))
    if after:
        title, _sep, last_id = after.rpartition("\x1f")
        if last_id.isdigit():
            q = q.where(or_(Source.title > title,
                            (Source.title == title) & (Source.id > int(last_id))))
    found = list(session.scalars(q.order_by(Source.title, Source.id).limit(limit + 1)))
    more, found = len(found) > limit, found[:limit]
    counts = _item_counts(session, [s.id for s in found])
    rows = [Listed(s, intake.state(s), *counts.get(s.id, (0, 0))) for s in found]
    last = found[-1] if more else None
    return DirectoryPage(rows, f"{last.title}\x1f{last.id}" if last else None)


def _item_counts(session: Session, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    if not ids:
        return {}
    counts: dict[int, list[int]] = {}
    for source_id, status, n in session.execute(
            select(Item.source_id, Item.status, func.count()).where(Item.source_id.in_(ids))
            .group_by(Item.source_id, Item.status)):
        pair = counts.setdefault(source_id, [0, 0])
        if status == "pending":
            pair[0] = n
        elif status == "approved":
            pair[1] = n
    return {k: (v[0], v[1]) for k, v in counts.items()}


def source_of(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(_("there is no source {number}").format(number=source_id))
    return source


def latest_items(session: Session, source_id: int, limit: int = 30) -> list[Item]:
    return list(session.scalars(select(Item).where(Item.source_id == source_id)
                                .order_by(Item.sort_at.desc(), Item.id.desc()).limit(limit)))


def edit(session: Session, editor: User, source_id: int, form: dict[str, str]) -> Source:
    """Change a source's classification and its texts; the audit log keeps what changed,
    before and after. Every field is checked before any is written."""
    source = source_of(session, source_id)
    wanted = _checked(session, source, form)
    before = {k: _shown(getattr(source, k)) for k in wanted if getattr(source, k) != wanted[k]}
    if not before:
        return source
    for name in before:
        setattr(source, name, wanted[name])
    record(session, editor, "source edited",
           before={"source": source.id, **before},
           after={"source": source.id, **{k: _shown(wanted[k]) for k in before}})
    return source


def _checked(session: Session, source: Source, form: dict[str, str]) -> dict[str, object]:
    title = plain_text(form.get("title", ""), 500)
    if not title:
        raise InvalidInput(_("a source needs a title: the directory and the site list it by "
                             "its title"))
    language = form.get("language", "").strip()
    if language:
        try:
            language = language_code(language)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
    try:
        kind = MediaKind(form.get("kind", ""))
    except ValueError:
        kinds = ", ".join(word(k) for k in MediaKind)
        raise InvalidInput(_("a source's kind is one of {kinds}").format(kinds=kinds)) from None
    category = form.get("category", "").strip()
    if category and category != source.category and not session.scalar(
            select(Category.active).where(Category.name == category)):
        raise InvalidInput(_("“{name}” is not in the list of categories; an administrator "
                             "adds it on the categories page").format(name=category[:200]))
    site_url = form.get("site_url", "").strip()
    if site_url and safe_url(site_url) is None:
        raise InvalidInput(_("the site address must be an http or https URL: {url}").format(
            url=repr(site_url[:200])))
    texts = {}
    for name, too_long in (
            ("description", N_("the self-description is longer than {count} characters")),
            ("editorial_comment", N_("the editorial comment is longer than {count} characters"))):
        text = form.get(name, "").replace("\r\n", "\n").strip()
        if len(text) > MAX_TEXT:
            raise InvalidInput(_(too_long).format(count=number(MAX_TEXT)))
        texts[name] = text or None
    if form.get("full_text", "auto") not in FULL_TEXT:
        raise InvalidInput(_("full text is auto, always or never"))
    return {"title": title, "language": language or None, "kind": kind,
            "category": category or None, "site_url": safe_url(site_url) if site_url else None,
            **texts, "full_text": FULL_TEXT[form.get("full_text", "auto")]}


def _shown(value: object) -> object:
    """A value as the audit log's JSON keeps it."""
    return value.value if isinstance(value, MediaKind) else value


def full_text_word(source: Source) -> str:
    return next(word for word, value in FULL_TEXT.items() if value is source.full_text)


def recorded(session: Session, editor: User, action: str, source: Source) -> None:
    """An audit event for a source added, enabled or disabled."""
    record(session, editor, action, after={"source": source.id, "title": source.title,
                                           "feed": source.feed_url})


# ---- categories -------------------------------------------------------------------------


def categories(session: Session, *, active_only: bool = False) -> list[Category]:
    q = select(Category).order_by(Category.name)
    return list(session.scalars(q.where(Category.active.is_(True)) if active_only else q))


def category_use(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Source.category, func.count())
                                .where(Source.category.is_not(None))
                                .group_by(Source.category)).all())


def add_category(session: Session, admin: User, name: str) -> Category:
    name = plain_text(name, 201)
    if not name or len(name) > 200:
        raise InvalidInput(_("a category's name is 1 to 200 characters"))
    if session.get(Category, name) is not None:
        raise AlreadyExists(_("the category “{name}” exists already").format(name=name))
    found = Category(name=name, active=True)
    session.add(found)
    record(session, admin, "category added", after={"category": name})
    return found


def switch_category(session: Session, admin: User, name: str, active: bool) -> None:
    """Retire a category (sources keep it; new ones cannot be filed under it) or restore it."""
    found = session.get(Category, name)
    if found is None:
        raise NotFound(_("there is no category “{name}”").format(name=name[:200]))
    if found.active != active:
        found.active = active
        record(session, admin, "category " + ("restored" if active else "retired"),
               after={"category": name})
