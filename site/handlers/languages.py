"""`/`, which sends a reader to their language, and the switcher, which remembers it.

The choice is a cookie set only when the reader picks a language in the switcher: the
pages themselves stay the same for every reader of a language, so they can be kept and
shared by caches. Without the cookie, the browser's Accept-Language decides.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.web.sessions import secure_cookies
from rabkor.site.i18n import negotiate
from rabkor.site.pages import path_for, reader_language, settings_of

COOKIE = "rabkor_language"
YEAR = 365 * 24 * 3600


async def home_redirect(request: Request) -> Response:
    """`/` sends the reader to the language they chose before, else to the one their
    browser prefers."""
    languages = settings_of(request).languages
    chosen = request.cookies.get(COOKIE)
    lang = chosen if chosen in languages else negotiate(
        request.headers.get("accept-language", ""), languages)
    response = RedirectResponse(path_for(request, "items_list", lang=lang), status_code=302)
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


async def choose_language(request: Request) -> Response:
    """The switcher's link: remember the language and show the page in it (`next`, a path
    of this site in that language; anything else leads to the language's home)."""
    lang = reader_language(request)
    home = path_for(request, "items_list", lang=lang)
    target = request.query_params.get("next", "")
    if not (target.startswith(home) and "\\" not in target and "//" not in target):
        target = home
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, lang, max_age=YEAR, path="/", httponly=True, samesite="lax",
                        secure=secure_cookies(settings_of(request)))
    response.headers["Cache-Control"] = "private, no-store"
    return response
