"""Assignments that divide the work, as WikiProjects' work lists and Global Voices Lingua
do: editors make a list (sources to watch, topics or regions to cover, items to
translate into a language, links to check), one task a line; a correspondent or a
translator claims a task for the days the list allows, then marks it done with its
result or gives it back. Progress per list and per person.

A task's life is the table TRANSITIONS. Claiming is one conditional UPDATE (the task is
open, or its claim has expired): of two people claiming at once the database lets
exactly one change the row, and the other is told who holds it. A translation task's
claim is also the post-editing claim of that item and language (editor/postedit.py), so
the two never disagree about who is translating.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from rabkor.core.errors import InvalidInput, NotFound, RabkorError
from rabkor.core.languages import language_code
from rabkor.core.store.models import (
    AssignmentKind,
    AssignmentList,
    Item,
    Role,
    Source,
    Task,
    TaskState,
    User,
    utcnow,
)
from rabkor.core.text.chars import printable
from rabkor.core.text.urls import UrlError, parse_url
from rabkor.editor import postedit
from rabkor.editor.audit import record
from rabkor.editor.i18n import N_, _

MAX_TASKS = 500  # a list's lines
MAX_DAYS = 60

TRANSITIONS: dict[tuple[TaskState, str], TaskState] = {
    (TaskState.OPEN, "claim"): TaskState.CLAIMED,
    (TaskState.CLAIMED, "claim"): TaskState.CLAIMED,  # an expired claim taken over
    (TaskState.CLAIMED, "give back"): TaskState.OPEN,
    (TaskState.CLAIMED, "done"): TaskState.DONE,
}

KIND_NAMES = {AssignmentKind.WATCH: N_("sources to watch"),
              AssignmentKind.COVER: N_("topics or regions to cover"),
              AssignmentKind.TRANSLATE: N_("items to translate"),
              AssignmentKind.CHECK: N_("links to check")}


class TaskTaken(RabkorError):
    """Someone else holds the task."""

    status = 409


@dataclass(frozen=True)
class Progress:
    open: int
    claimed: int
    done: int

    @property
    def total(self) -> int:
        return self.open + self.claimed + self.done


def create(session: Session, editor: User, *, title: str, kind: str, description: str,
           lines: str, claim_days: int, language: str = "") -> AssignmentList:
    """A list with one task per line of `lines`: a source (its number or the address of
    its page), a topic or region, an item (its number or page), or a link."""
    try:
        kind = AssignmentKind(kind)
    except ValueError:
        raise InvalidInput(_("choose what the list divides")) from None
    title = printable(title).strip()
    if not title or len(title) > 300:
        raise InvalidInput(_("a list needs a title of 1 to 300 characters"))
    if not 1 <= claim_days <= MAX_DAYS:
        raise InvalidInput(_("a claim lasts 1 to {count} days").format(count=MAX_DAYS))
    target_language = None
    if kind == AssignmentKind.TRANSLATE:
        try:
            target_language = language_code(language)
        except ValueError:
            raise InvalidInput(_("a translation list needs the language to translate "
                                 "into")) from None
    rows = [line.strip() for line in printable(lines, lines=True).splitlines() if line.strip()]
    if not rows or len(rows) > MAX_TASKS:
        raise InvalidInput(_("a list needs 1 to {count} tasks, one a line").format(
            count=MAX_TASKS))
    listed = AssignmentList(title=title, kind=kind, description=printable(
        description, lines=True).strip()[:4000], language=target_language,
        claim_days=claim_days, created_by_id=editor.id)
    listed.tasks = [_task(session, kind, row) for row in rows]
    session.add(listed)
    session.flush()
    record(session, editor, "assignment list made",
           after={"list": listed.id, "title": title, "tasks": len(rows)})
    return listed


def _task(session: Session, kind: AssignmentKind, row: str) -> Task:
    if kind in (AssignmentKind.WATCH, AssignmentKind.TRANSLATE):
        number = _number(row)
        model = Source if kind == AssignmentKind.WATCH else Item
        found = session.get(model, number) if number is not None else None
        if found is None:
            words = (_("“{line}” names no source we have: give its number or the address of "
                       "its page") if kind == AssignmentKind.WATCH else
                     _("“{line}” names no item we have: give its number or the address of "
                       "its page"))
            raise InvalidInput(words.format(line=row[:100]))
        title = found.title or (found.feed_url if model is Source else found.url)
        return Task(target=title[:2048], source_id=found.id if model is Source else None,
                    item_id=found.id if model is Item else None)
    if kind == AssignmentKind.CHECK:
        try:
            return Task(target=parse_url(row).url)
        except UrlError as exc:
            raise InvalidInput(_("“{line}” is not a web address: {problem}").format(
                line=row[:100], problem=str(exc))) from None
    if len(row) > 300:
        raise InvalidInput(_("a topic or region is at most 300 characters"))
    return Task(target=row)


def _number(row: str) -> int | None:
    tail = row.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() and len(tail) < 12 else None


def lists(session: Session, *, with_closed: bool = False) -> list[tuple[AssignmentList,
                                                                      Progress]]:
    """The lists with their progress, the newest first."""
    stmt = select(AssignmentList).order_by(AssignmentList.created_at.desc(),
                                           AssignmentList.id.desc())
    if not with_closed:
        stmt = stmt.where(AssignmentList.closed_at.is_(None))
    found = list(session.scalars(stmt))
    counts: dict[int, dict[TaskState, int]] = {}
    now = utcnow()
    for list_id, state, expires, n in session.execute(
            select(Task.assignment_id, Task.state, Task.expires_at <= now, func.count())
            .where(Task.assignment_id.in_([x.id for x in found]))
            .group_by(Task.assignment_id, Task.state, Task.expires_at <= now)):
        state = TaskState.OPEN if state == TaskState.CLAIMED and expires else state
        by = counts.setdefault(list_id, {})
        by[state] = by.get(state, 0) + n
    return [(x, _progress(counts.get(x.id, {}))) for x in found]


def _progress(by: dict[TaskState, int]) -> Progress:
    return Progress(by.get(TaskState.OPEN, 0), by.get(TaskState.CLAIMED, 0),
                    by.get(TaskState.DONE, 0))


def list_of(session: Session, list_id: int) -> AssignmentList:
    found = session.scalar(select(AssignmentList).where(AssignmentList.id == list_id)
                           .options(selectinload(AssignmentList.tasks)
                                    .selectinload(Task.holder)))
    if found is None:
        raise NotFound(_("there is no assignment list {number}").format(number=list_id))
    return found


def per_person(assignment: AssignmentList, now: datetime | None = None
               ) -> list[tuple[str, int, int]]:
    """(name, claimed now, done) for each person who has held a task of the list."""
    now = now or utcnow()
    people: dict[str, list[int]] = {}
    for task in assignment.tasks:
        if task.holder is None:
            continue
        counts = people.setdefault(task.holder.display_name or task.holder.username, [0, 0])
        if task.state == TaskState.DONE:
            counts[1] += 1
        elif task.state == TaskState.CLAIMED and task.expires_at > now:
            counts[0] += 1
    return sorted(((name, c, d) for name, (c, d) in people.items()),
                  key=lambda row: (-row[2], -row[1], row[0]))


def state_now(task: Task, now: datetime | None = None) -> TaskState:
    """The task's state as people should see it: a claim past its expiry is open again."""
    now = now or utcnow()
    if task.state == TaskState.CLAIMED and task.expires_at <= now:
        return TaskState.OPEN
    return task.state


def claim(session: Session, user: User, task_id: int, now: datetime | None = None) -> Task:
    """Take the task for the list's claim days; TaskTaken (naming the holder) if someone
    else holds it. One conditional UPDATE decides between people claiming at once."""
    now = now or utcnow()
    task = _task_of(session, task_id)
    if task.assignment.closed_at is not None:
        raise InvalidInput(_("this list is closed"))
    if task.state == TaskState.DONE:
        raise InvalidInput(_("this task is done already"))
    expires = now + timedelta(days=task.assignment.claim_days)
    won = session.execute(
        update(Task).where(Task.id == task.id, Task.state != TaskState.DONE, or_(
            Task.holder_id.is_(None), Task.holder_id == user.id, Task.expires_at <= now,
            Task.state == TaskState.OPEN))
        .values(state=TaskState.CLAIMED, holder_id=user.id, claimed_at=now,
                expires_at=expires).execution_options(synchronize_session=False)).rowcount
    session.expire(task)
    if won != 1:
        holder = task.holder
        raise TaskTaken(_("{name} holds this task until {moment}").format(
            name=holder.display_name if holder else _("someone"),
            moment=task.expires_at.strftime("%Y-%m-%d %H:%M UTC")))
    if task.assignment.kind == AssignmentKind.TRANSLATE and task.item_id is not None:
        item = session.get(Item, task.item_id)
        if item is not None:
            postedit.claim(session, item, task.assignment.language, user, now)
    record(session, user, "task claimed", after={"task": task.id,
                                                 "list": task.assignment_id})
    return task


def give_back(session: Session, user: User, task_id: int) -> None:
    task = _held(session, user, task_id)
    task.state, task.holder_id, task.expires_at = TaskState.OPEN, None, None
    if task.assignment.kind == AssignmentKind.TRANSLATE and task.item_id is not None:
        postedit.release(session, task.item_id, task.assignment.language, user)
    record(session, user, "task given back", after={"task": task.id})


def done(session: Session, user: User, task_id: int, result: str) -> None:
    task = _held(session, user, task_id)
    result = printable(result, lines=True).strip()
    if len(result) > 4000:
        raise InvalidInput(_("a result is at most 4,000 characters"))
    task.state, task.done_at, task.result = TaskState.DONE, utcnow(), result
    record(session, user, "task done", after={"task": task.id})


def close(session: Session, editor: User, list_id: int) -> None:
    listed = list_of(session, list_id)
    if listed.closed_at is None:
        listed.closed_at = utcnow()
        record(session, editor, "assignment list closed", after={"list": listed.id})


def tasks_of(session: Session, user: User) -> list[Task]:
    """The tasks `user` holds now."""
    return list(session.scalars(select(Task).where(
        Task.holder_id == user.id, Task.state == TaskState.CLAIMED,
        Task.expires_at > utcnow()).options(selectinload(Task.assignment))
        .order_by(Task.expires_at)))


def _task_of(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(_("there is no task {number}").format(number=task_id))
    return task


def _held(session: Session, user: User, task_id: int) -> Task:
    task = _task_of(session, task_id)
    mine = task.holder_id == user.id and state_now(task) == TaskState.CLAIMED
    if not mine and user.role != Role.ADMIN:
        raise InvalidInput(_("you do not hold this task (your claim may have expired)"))
    if (task.state, "done") not in TRANSITIONS:
        raise InvalidInput(_("this task is not claimed"))
    return task
