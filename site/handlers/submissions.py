"""The correspondents' form: a link with a note goes to the crawler, then the editors'
queue. The fields' checks are site/forms.py's, the rest (limits, repeats, new accounts)
site/intake.py's, which the submissions API shares."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rabkor.core.store.models import User
from rabkor.core.web.sessions import session_of, verify_csrf
from rabkor.site import intake
from rabkor.site.forms import HONEYPOT, SubmissionForm
from rabkor.site.pages import path_for, reader_language, render, settings_of

logger = logging.getLogger(__name__)


async def submissions_new(request: Request) -> Response:
    """The form; `?url=` (the bookmarklet's) fills the address in."""
    lang = reader_language(request)
    return _form_page(request, lang, SubmissionForm.prefilled(
        request.query_params.get("url", ""), lang))


async def submissions_create(request: Request) -> Response:
    lang = reader_language(request)
    data = await verify_csrf(request)
    received = RedirectResponse(path_for(request, "submissions_received", lang=lang),
                                status_code=303)
    if data.get(HONEYPOT):  # a robot: thanked, and nothing kept
        logger.info("submission honeypot filled; dropped")
        return received
    form = SubmissionForm.from_post(data, settings_of(request).languages)
    if not form.valid:
        return _form_page(request, lang, form, status_code=400)
    store = request.app.state.store
    throttle: intake.SubmissionThrottle = request.app.state.submission_throttle
    visitor = throttle.visitor(request.client.host if request.client else "")
    user_id = session_of(request).user_id

    def write() -> tuple[intake.Refusal | None, int | None]:
        with store.transaction() as s:
            user = s.get(User, user_id) if user_id is not None else None
            refused = intake.refusal(s, settings_of(request), throttle, form.url, user,
                                     visitor)
            if refused is not None:
                first = intake.published_item(refused.first) if refused.first else None
                return refused, first
            intake.take(s, throttle, url=form.url, note=form.note, language=form.language,
                        topic=form.topic, name=form.name, user=user, visitor=visitor)
            return None, None

    # Redirect after POST, so that reloading the next page does not send the link twice.
    refused, first_item = await run_in_threadpool(write)
    if refused is None:
        return received
    form.errors[refused.field] = refused.message
    response = _form_page(request, lang, form, status_code=refused.status,
                          first_item=first_item)
    if refused.retry_after:
        response.headers["Retry-After"] = str(refused.retry_after)
    return response


async def submissions_received(request: Request) -> Response:
    return render(request, "submissions/received.html", {
        "lang": reader_language(request),
        "signed_in": session_of(request).user_id is not None})


def _form_page(request: Request, lang: str, form: SubmissionForm, status_code: int = 200,
               first_item: int | None = None) -> Response:
    return render(request, "submissions/new.html", {
        "lang": lang, "form": form, "csrf_token": session_of(request).csrf_token(),
        "honeypot": HONEYPOT, "first_item": first_item,
    }, status_code=status_code)
