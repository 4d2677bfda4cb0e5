"""Jinja2 templates for the editor, with the filters that make outside content safe to show.

Autoescaping is on; only summaries and contents (HTML the crawler stored) are marked safe,
through the display policy both web apps share (`rabkor.core.text.html.safe_markup`,
cleaned again whatever was stored): the editor sees hostile content before anyone else,
so its pages are where a script slipping through would do the most harm.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from rabkor.core import i18n as shared
from rabkor.core.settings import Settings
from rabkor.core.store.models import Translation
from rabkor.core.text.html import paragraphs, safe_markup
from rabkor.core.text.urls import is_web_url
from rabkor.core.web.sessions import session_of
from rabkor.editor import i18n
from rabkor.editor.i18n import _, language_name
from rabkor.editor.privileges import Privilege, landing, may
from rabkor.editor.urls import url_for

TEMPLATES = Path(__file__).parent / "templates"


def http_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: a `javascript:` link would run in the editor."""
    return url if is_web_url(url) else None


def when(moment: datetime | None) -> str:
    """A moment as the editor's locale writes it, in UTC."""
    return shared.moment_text(moment) if moment else _("unknown time")


def translation_label(translation: Translation) -> str:
    """How a translation is labelled everywhere: machine output names its engine and source."""
    if translation.is_human:
        return _("human translation")
    return _("machine-translated from {language} by {engine}").format(
        language=language_name(translation.source_language), engine=translation.engine)


def sentence(text: str) -> str:
    """A message as a sentence: its first letter upper-case, the rest as written (Jinja's
    `capitalize` lower-cases the rest, usernames and quoted values too)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def make_templates(settings: Settings) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(language_name=language_name, sanitized=safe_markup, http_url=http_url,
                       when=when, translation_label=translation_label, sentence=sentence,
                       plain_paragraphs=paragraphs, word=i18n.word, number=i18n.number)
    env.globals.update(_=i18n._, ngettext=i18n.ngettext, native_name=i18n.native_name)

    def common(request: Request) -> dict[str, object]:
        session = session_of(request)
        return {"session": session, "may": lambda name: may(session.role, Privilege(name)),
                "landing": landing(session.role),
                "has_directory": request.app.state.sources is not None,
                "has_readership": request.app.state.readership is not None,
                "site_title": settings.site_title, "ui_lang": shared.current(),
                "ui_dir": i18n.direction(shared.current())}

    templates = Jinja2Templates(env=env, context_processors=[common])
    env.globals["url_for"] = jinja2.pass_context(
        lambda context, name, /, **params: url_for(context["request"], name, **params)
    )
    return templates


def render(request: Request, name: str, status_code: int = 200, **context: object) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status_code)
