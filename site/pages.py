"""Rendering pages: the Jinja2 environment, the reader's language, what every page shows.

Links and redirects are paths (`path_for`); the few absolute URLs (the Atom feed's) start
with the configured public URL (`absolute_url`): none is built from the request's Host
header, which the client writes (rabkor.core.web.origins).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from rabkor.core.settings import Settings
from rabkor.core.web.origins import public_base
from rabkor.site import i18n

HERE = Path(__file__).parent


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(_=i18n._, ngettext=i18n.ngettext, number=i18n.number,
                       date_text=i18n.date_text, native_name=i18n.native_name,
                       language_name=i18n.language_name, kind_name=i18n.kind_name,
                       kind_plural=i18n.kind_plural)
    env.filters["language_name"] = i18n.language_name
    templates = Jinja2Templates(env=env)
    env.globals["url_for"] = jinja2.pass_context(
        lambda context, name, /, **params: path_for(context["request"], name, **params))
    return templates


def path_for(request: Request, name: str, /, **params: object) -> str:
    """The path of a named route of the site, under the path it is mounted at.

    Asked of the route itself, found by name once per app: Starlette's `url_for` tries
    every route in turn and builds a full URL to take its path from, which made a third
    of a listing page's rendering (60 links a page)."""
    routes = request.app.state.named_routes
    route = routes.get(name)
    if route is None:
        return request.url_for(name, **params).path  # raises Starlette's NoMatchFound
    scope = request.scope  # the app's own mount point, as Request.base_url takes it
    return scope.get("app_root_path", scope.get("root_path", "")) + route.url_path_for(
        name, **params)


def named_routes(routes) -> dict:
    """The site's routes by name, for path_for."""
    return {route.name: route for route in routes if getattr(route, "name", None)}


def absolute_url(request: Request, name: str, /, **params: object) -> str:
    """A named route's full URL from the public URL setting, for documents read elsewhere."""
    return public_base(settings_of(request)) + path_for(request, name, **params)


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def reader_language(request: Request) -> str:
    """The `{lang}` of the URL, which must be one of the site's languages (else 404)."""
    lang = request.path_params.get("lang", "")
    if lang not in settings_of(request).languages:
        raise HTTPException(404, i18n._("There is no such page."))
    i18n.use(lang)
    return lang


def render(request: Request, template: str, context: dict[str, object],
           status_code: int = 200) -> HTMLResponse:
    """A page with what the layout needs: language, direction, switcher, feed link."""
    settings = settings_of(request)
    lang = str(context.get("lang") or settings.languages[0])
    i18n.use(lang)
    context = {
        **context,
        "lang": lang,
        "dir": i18n.direction(lang),
        "switcher": [(code, i18n.native_name(code), switch_url(request, code),
                      page_in(request, code)) for code in settings.languages],
        "site_title": settings.site_title,
        "moderation_log": settings.public_moderation_log,
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def page_in(request: Request, lang: str) -> str:
    """This page's path in another site language, its query string kept; pages outside
    the language tree (an unknown address) have each language's home instead."""
    route = request.scope.get("route")
    if route is None or "lang" not in request.path_params:
        return path_for(request, "items_list", lang=lang)
    target = path_for(request, route.name, **{**request.path_params, "lang": lang})
    return f"{target}?{request.url.query}" if request.url.query else target


def switch_url(request: Request, lang: str) -> str:
    """The switcher's link to this page in `lang`, through the route that remembers it."""
    return (f"{path_for(request, 'choose_language', lang=lang)}?"
            f"{urlencode({'next': page_in(request, lang)})}")
