"""The item page and its story's coverage."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from rabkor.site import catalog, stories
from rabkor.site.display import item_view
from rabkor.site.i18n import _
from rabkor.site.pages import reader_language, render


async def items_show(request: Request) -> Response:
    lang = reader_language(request)
    item_id = request.path_params["id"]

    def read():
        with request.app.state.store.read() as s:
            item = catalog.approved_item(s, item_id) if item_id < 2**63 else None
            if item is None:
                return None, 0, None
            return item, stories.coverage_count(s, item), credit(item)

    item, told, credited = await run_in_threadpool(read)
    if item is None:
        raise HTTPException(404, _("There is no published item with this number."))
    return render(request, "items/show.html", {"lang": lang, "view": item_view(item, lang),
                                                "coverage": told, "credit": credited})


def credit(item) -> tuple[str, int | None] | None:
    """Who brought the item in, as readers may see it: a correspondent who agreed to be
    credited (with their public page's id when they have one), or the name a visitor
    gave for the credit; None otherwise (and for a deleted account)."""
    sub = item.submission
    if sub is None or sub.submitter_gone:
        return None
    person = sub.submitter
    if person is None:
        return (sub.submitter_name, None) if sub.submitter_name else None
    if not person.credit_consent:
        return None
    return (person.display_name or person.username,
            person.id if person.public_profile else None)


async def story_show(request: Request) -> Response:
    """How a story was covered: every published item that tells it, by whom, when."""
    lang = reader_language(request)
    item_id = request.path_params["id"]

    def read():
        with request.app.state.store.read() as s:
            story = stories.story_of(s, item_id) if item_id < 2**63 else None
            return story, [item_view(i, lang) for i in story.items] if story else []

    story, views = await run_in_threadpool(read)
    if story is None:
        raise HTTPException(404, _("There is no published item with this number."))
    return render(request, "items/story.html", {"lang": lang, "story": story, "views": views})


def page_number(request: Request) -> int:
    """The `?page=` asked for; anything unusable means the first page."""
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1
