"""Rendering pages: the Jinja2 environment, the reader's language, what every page shows."""

from __future__ import annotations

from pathlib import Path

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from rabkor.core.settings import Settings
from rabkor.site import i18n

HERE = Path(__file__).parent


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(_=i18n._, native_name=i18n.native_name,
                       language_name=i18n.language_name, kind_name=i18n.kind_name)
    return Jinja2Templates(env=env)


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def reader_language(request: Request) -> str:
    """The `{lang}` of the URL, which must be one of the site's languages (else 404)."""
    lang = request.path_params.get("lang", "")
    if lang not in settings_of(request).languages:
        raise HTTPException(404, i18n._("There is no such page."))
    return lang


def render(request: Request, template: str, context: dict[str, object],
           status_code: int = 200) -> HTMLResponse:
    """A page with what the layout needs: language, direction, switcher, feed link."""
    settings = settings_of(request)
    lang = str(context.get("lang") or settings.languages[0])
    context = {
        **context,
        "lang": lang,
        "dir": i18n.direction(lang),
        "switcher": [(code, i18n.native_name(code), switch_url(request, code))
                     for code in settings.languages],
        "site_title": settings.site_title,
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def switch_url(request: Request, lang: str) -> str:
    """This page's address in another site language, keeping its query string.

    Pages outside the language tree (an unknown address) switch to each language's home.
    """
    route = request.scope.get("route")
    if route is None or "lang" not in request.path_params:
        return str(request.url_for("items_list", lang=lang))
    url = str(request.url_for(route.name, **{**request.path_params, "lang": lang}))
    return f"{url}?{request.url.query}" if request.url.query else url
