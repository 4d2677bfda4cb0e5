"""The correspondents' form: a link with a note goes into the editors' queue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core import submissions
from rabkor.core.store.models import Submission
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.site.forms import SubmissionForm
from rabkor.site.i18n import _
from rabkor.site.pages import path_for, reader_language, render, settings_of


async def submissions_new(request: Request) -> Response:
    lang = reader_language(request)
    return _form_page(request, lang, SubmissionForm(language=lang))


async def submissions_create(request: Request) -> Response:
    lang = reader_language(request)
    data = await verify_csrf(request)
    form = SubmissionForm.from_post(data, settings_of(request).languages)
    if not form.valid:
        return _form_page(request, lang, form, status_code=400)
    with request.app.state.store.transaction() as s:
        blocked = submissions.blocking_rule(s, form.url)
        if blocked is not None:  # the desk blocks the domain: said now, nothing stored
            form.errors["url"] = _("Links to {domain} are not accepted here.").format(
                domain=blocked.pattern)
            return _form_page(request, lang, form, status_code=400)
        s.add(Submission(url=form.url, note=form.note, language=form.language or None,
                         topic=form.topic or None, submitter_name=form.name or None,
                         submitter_id=session_of(request).user_id,
                         status=submissions.RECEIVED))
    # Redirect after POST, so that reloading the next page does not send the link twice.
    return RedirectResponse(path_for(request, "submissions_received", lang=lang),
                            status_code=303)


async def submissions_received(request: Request) -> Response:
    return render(request, "submissions/received.html", {"lang": reader_language(request)})


def _form_page(request: Request, lang: str, form: SubmissionForm,
               status_code: int = 200) -> Response:
    return render(request, "submissions/new.html", {
        "lang": lang, "form": form, "csrf_token": session_of(request).csrf_token(),
    }, status_code=status_code)
