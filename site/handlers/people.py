"""The credits: a correspondent's public page and the contributors of the site."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from rabkor.site import people
from rabkor.site.display import item_view
from rabkor.site.i18n import _, language_name
from rabkor.site.pages import reader_language, render


async def correspondent_show(request: Request) -> Response:
    lang = reader_language(request)
    user_id = request.path_params["user_id"]

    def read():
        with request.app.state.store.read() as s:
            found = people.profile(s, user_id) if user_id < 2**63 else None
            if found is None:
                return None, [], []
            return (found, [item_view(i, lang) for i in found.brought],
                    [item_view(i, lang) for i in found.translated])

    found, brought, translated = await run_in_threadpool(read)
    if found is None:
        raise HTTPException(404, _("There is no such page."))
    return render(request, "people/correspondent.html", {
        "lang": lang, "profile": found, "brought": brought, "translated": translated})


async def contributors_index(request: Request) -> Response:
    lang = reader_language(request)

    def read():
        with request.app.state.store.read() as s:
            return people.contributors(s)

    groups = await run_in_threadpool(read)
    ordered = sorted(groups.items(), key=lambda g: (not g[0], g[0] != lang,
                                                     language_name(g[0]).casefold()))
    return render(request, "people/contributors.html", {"lang": lang, "groups": ordered})
