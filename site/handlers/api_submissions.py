"""POST /api/v1/submissions: a correspondent's program (a script, a share menu) sends a
link as JSON, `{"url": …, "note": …, "language": …, "topic": …}`, with
`Authorization: Bearer <token>` (the token from their submissions page in the editor,
core/tokens.py). The same checks as the form (site/forms.py, site/intake.py), each
refusal `{"error": …}` with its status (and `fields` for the fields' own, `first` for a
link sent before, Retry-After for a limit); 201 with the submission's id and state.
Messages are in `?lang=` (one of the site's languages), else the site's first; what only
a program gets wrong (an unknown `lang`, a member that is not text) is told in English,
as the API's read operations tell theirs. Each answer is written by its model of
site/api.py, the one the OpenAPI document describes.
"""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rabkor.core import tokens
from rabkor.core.store.kinds import TokenKind
from rabkor.site import intake
from rabkor.site.api import SubmissionError, SubmissionReceived
from rabkor.site.forms import FIELDS, SubmissionForm
from rabkor.site.i18n import _, use
from rabkor.site.pages import absolute_url, settings_of

MAX_BODY = 64 * 1024  # a link and a note of MAX_NOTE characters fit many times over
UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="submissions"'}


async def submission_create(request: Request) -> Response:
    """Send a link to the desk, as a correspondent, with their token.

    The same checks as the site's form: the fields, the account (suspended, or new and
    the link's site unknown here), the limits per account and per visitor, the desk's
    blocked domains, and the same link sent in the last 30 days. The link is fetched
    and read by the next pipeline cycle."""
    settings = settings_of(request)
    lang = request.query_params.get("lang")
    if lang is not None and lang not in settings.languages:
        return _error(400, f"lang: one of {', '.join(settings.languages)}")
    use(lang or settings.languages[0])
    scheme, _space, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _error(401, _("Send your token as Authorization: Bearer <token>; it is on "
                             "your submissions page."), headers=UNAUTHORIZED)
    body = await _body(request)
    if body is None:
        return _error(413, _("The request is larger than a submission can be."))
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        return _error(400, _("Send a JSON object with the link as \"url\"."))
    data.pop("name", None)  # the credit is the token holder's
    wrong = [k for k in FIELDS if not isinstance(data.get(k, ""), str | None)]
    if wrong:
        return _error(400, f"{', '.join(wrong)}: send text (a JSON string) or null")
    form = SubmissionForm.from_post(data, settings.languages)
    if not form.valid:
        return _error(400, _("Please correct the fields named."), fields=form.errors)
    store = request.app.state.store
    throttle: intake.SubmissionThrottle = request.app.state.submission_throttle
    visitor = throttle.visitor(request.client.host if request.client else "")

    def write() -> Response:
        with store.transaction() as s:
            user = tokens.holder(s, token.strip(), TokenKind.API)
            if user is None:
                return _error(401, _("This token is not valid: it was renewed or revoked."),
                              headers=UNAUTHORIZED)
            refused = intake.refusal(s, settings, throttle, form.url, user, visitor)
            if refused is not None:
                return _refused(request, refused)
            sub = intake.take(s, throttle, url=form.url, note=form.note,
                              language=form.language, topic=form.topic,
                              name=user.display_name or user.username, user=user,
                              visitor=visitor)
            return _json(SubmissionReceived(id=sub.id, status=sub.status.value,
                                            url=sub.url), 201)

    return await run_in_threadpool(write)


async def _body(request: Request) -> bytes | None:
    """The body, or None past MAX_BODY (read no further)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _refused(request: Request, refused: intake.Refusal) -> Response:
    extra: dict[str, object] = {}
    item_id = intake.published_item(refused.first) if refused.first else None
    if item_id is not None:
        extra["first"] = absolute_url(request, "items_show",
                                      lang=settings_of(request).languages[0], id=item_id)
    headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else None
    return _error(refused.status, refused.message, headers=headers, **extra)


def _error(status: int, message: str, headers: dict[str, str] | None = None,
           **extra: object) -> Response:
    return _json(SubmissionError(error=message, **extra), status, headers)


def _json(answer: SubmissionReceived | SubmissionError, status: int,
          headers: dict[str, str] | None = None) -> Response:
    return Response(answer.model_dump_json(exclude_none=True), status,
                    headers=headers, media_type="application/json")
