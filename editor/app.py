"""The editorial web application: `create_app(settings, store)` builds it, tests drive it.

It runs standalone or mounted under a prefix (the combined server mounts it at /editor);
every link and redirect is built by name with `rabkor.editor.urls.url_for`.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from rabkor.core.errors import RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.web.apps import web_app
from rabkor.core.web.headers import EDITOR_HEADERS
from rabkor.editor.access import public, route
from rabkor.editor.handlers import (
    account,
    assignments,
    auth,
    correspondents,
    decisions,
    items,
    log,
    queue,
    readership,
    reasons,
    rules,
    saved,
    sources,
    submissions,
    topics,
    translations,
    users,
)
from rabkor.editor.i18n import N_, _, choose
from rabkor.editor.privileges import Privilege
from rabkor.editor.readership import Readership
from rabkor.editor.reindex import Reindexer
from rabkor.editor.sources import Intake
from rabkor.editor.templating import make_templates, render
from rabkor.editor.throttle import LoginThrottle

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
# the error page's title per status; `HTTPStatus(status).phrase` for the others
TITLES = {400: N_("Bad Request"), 403: N_("Forbidden"), 404: N_("Not Found"),
          405: N_("Method Not Allowed"), 409: N_("Conflict"), 413: N_("Content Too Large"),
          429: N_("Too Many Requests"), 500: N_("Internal Server Error"),
          503: N_("Service Unavailable")}
# what core's guards say, in the editor's catalogs too
N_("This form has expired or did not come from this site. Reload the page and try again.")


async def error_page(request: Request, exc: Exception) -> Response:
    """Every error as a page a person can read: an HTTPException with its own status, any
    RabkorError with the status its class states (rabkor.core.errors, rabkor.editor.errors);
    in the person's language, also where no route was found."""
    await choose(request)
    if isinstance(exc, HTTPException):
        status, message, headers = exc.status_code, _(exc.detail), exc.headers
    else:
        assert isinstance(exc, RabkorError)
        text = str(exc)
        message = text[:1].upper() + text[1:]
        message += "" if message.endswith((".", "!", "?")) else "."
        status, headers = exc.status, None
        if status >= 500:
            logger.error("editor request failed url=%s error=%s", request.url.path, exc,
                         exc_info=exc)
    response = render(request, "errors/error.html", status, status=status,
                      title=_(TITLES.get(status, HTTPStatus(status).phrase)), message=message)
    response.headers.update(headers or {})
    return response


TRANSLATE, REVIEW, DECIDE = Privilege.TRANSLATE, Privilege.REVIEW, Privilege.DECIDE
USERS, RULES = Privilege.MANAGE_USERS, Privilege.MANAGE_RULES
SOURCES = Privilege.MANAGE_SOURCES
STATS = Privilege.READ_STATS
POST = ["POST"]

SUBMISSION_ROUTES = [
    route("/submissions", submissions.my_submissions, Privilege.ACCOUNT,
          name="my_submissions"),
    route("/submissions/{submission_id:int}/withdraw", submissions.submission_withdraw,
          Privilege.ACCOUNT, methods=POST, name="submission_withdraw"),
    route("/submissions/token", submissions.token_new, Privilege.ACCOUNT, methods=POST,
          name="submission_token_new"),
    route("/submissions/token/revoke", submissions.token_revoke, Privilege.ACCOUNT,
          methods=POST, name="submission_token_revoke"),
    public("/feeds/submissions/{token}.atom", submissions.my_submissions_feed,
           name="my_submissions_feed"),
    route("/submissions/{submission_id:int}/retry", submissions.submission_retry, DECIDE,
          methods=POST, name="submission_retry"),
    route("/submissions/{submission_id:int}/refuse", submissions.submission_refuse, DECIDE,
          methods=POST, name="submission_refuse"),
    route("/correspondents/{user_id:int}/suspend", submissions.correspondent_suspend,
          DECIDE, methods=POST, name="correspondent_suspend"),
]

TRANSLATION_ROUTES = [
    route("/translations", translations.translation_list, TRANSLATE, name="translation_list"),
    route("/translations/reviews", translations.review_list, REVIEW, name="review_list"),
    route("/translations/{item_id:int}/{lang}", translations.translation_edit, TRANSLATE,
          name="translation_edit"),
    route("/translations/{item_id:int}/{lang}", translations.translation_save, TRANSLATE,
          methods=POST, name="translation_save"),
    route("/translations/{item_id:int}/{lang}/claim", translations.translation_claim,
          TRANSLATE, methods=POST, name="translation_claim"),
    route("/translations/{item_id:int}/{lang}/release", translations.translation_release,
          TRANSLATE, methods=POST, name="translation_release"),
    route("/translations/{item_id:int}/{lang}/history", translations.translation_history,
          TRANSLATE, name="translation_history"),
    route("/translations/revisions/{revision_id:int}", translations.revision_show, TRANSLATE,
          name="revision_show"),
    route("/translations/revisions/{revision_id:int}/accept", translations.revision_accept,
          REVIEW, methods=POST, name="revision_accept"),
    route("/translations/revisions/{revision_id:int}/return", translations.revision_return,
          REVIEW, methods=POST, name="revision_return"),
]


SOURCE_ROUTES = [
    route("/sources", sources.source_list, DECIDE, name="source_list"),
    route("/sources", sources.source_add, SOURCES, methods=POST, name="source_add"),
    route("/sources.opml", sources.sources_export, DECIDE, name="sources_export"),
    route("/sources/import", sources.sources_import, SOURCES, methods=POST,
          name="sources_import"),
    route("/sources/{source_id:int}", sources.source_show, DECIDE, name="source_show"),
    route("/sources/{source_id:int}", sources.source_edit, SOURCES, methods=POST,
          name="source_edit"),
    route("/sources/{source_id:int}/switch", sources.source_switch, SOURCES, methods=POST,
          name="source_switch"),
    route("/admin/categories", sources.category_list, SOURCES, name="category_list"),
    route("/admin/categories", sources.category_add, SOURCES, methods=POST,
          name="category_add"),
    route("/admin/categories/switch", sources.category_switch, SOURCES, methods=POST,
          name="category_switch"),
]

READERSHIP_ROUTES = [
    route("/admin/readership", readership.readership_page, STATS, name="readership"),
    route("/admin/readership/{chart}.svg", readership.readership_chart, STATS,
          name="readership_chart"),
]


# a correspondent's own pages (every signed-in person may invite), and the applications
CORRESPONDENT_ROUTES = [
    route("/invitations", correspondents.invitation_list, Privilege.ACCOUNT,
          name="invitation_list"),
    route("/invitations", correspondents.invitation_create, Privilege.ACCOUNT, methods=POST,
          name="invitation_create"),
    route("/invitations/{invitation_id:int}/revoke", correspondents.invitation_revoke,
          Privilege.ACCOUNT, methods=POST, name="invitation_revoke"),
    route("/applicants/{user_id:int}/approve", correspondents.applicant_approve,
          Privilege.DECIDE, methods=POST, name="applicant_approve"),
    route("/profile", correspondents.profile_page, Privilege.ACCOUNT, name="profile"),
    route("/profile", correspondents.profile_save, Privilege.ACCOUNT, methods=POST,
          name="profile_save"),
    route("/account/export", correspondents.account_export, Privilege.ACCOUNT,
          name="account_export"),
    route("/account/delete", correspondents.account_delete, Privilege.ACCOUNT, methods=POST,
          name="account_delete"),
    route("/assignments", assignments.assignment_list, Privilege.ACCOUNT,
          name="assignment_list"),
    route("/assignments", assignments.assignment_create, Privilege.DECIDE, methods=POST,
          name="assignment_create"),
    route("/assignments/{list_id:int}", assignments.assignment_show, Privilege.ACCOUNT,
          name="assignment_show"),
    route("/assignments/{list_id:int}/close", assignments.assignment_close, Privilege.DECIDE,
          methods=POST, name="assignment_close"),
    route("/tasks/{task_id:int}/claim", assignments.task_claim, Privilege.ACCOUNT,
          methods=POST, name="task_claim"),
    route("/tasks/{task_id:int}/give-back", assignments.task_give_back, Privilege.ACCOUNT,
          methods=POST, name="task_give_back"),
    route("/tasks/{task_id:int}/done", assignments.task_done, Privilege.ACCOUNT,
          methods=POST, name="task_done"),
]


def create_app(settings: Settings, store: Store, *, sources: Intake | None = None,
               readership: Readership | None = None) -> Starlette:
    """The editor on `store`, with the guards of rabkor.core.web.apps (its pages may not be
    framed); sessions are its own unless an outer app already provides them. `sources`:
    the crawler's source management (rabkor.crawler.sources.desk), which the directory
    pages need; without it the editor has no directory. `readership`: the statistics
    (rabkor.stats.readership), which the readership page shows; without it, no page."""
    routes = [
        route("/", queue.queue_list, DECIDE, name="queue_list"),
        route("/items/bulk", queue.items_bulk, DECIDE, methods=POST, name="items_bulk"),
        route("/items/{item_id:int}", items.item_show, DECIDE, name="item_show"),
        route("/items/{item_id:int}/take-over", items.item_take_over, DECIDE, methods=POST,
              name="item_take_over"),
        route("/items/{item_id:int}/release", items.item_release, DECIDE, methods=POST,
              name="item_release"),
        route("/items/{item_id:int}/notes", items.item_note, DECIDE, methods=POST,
              name="item_note"),
        route("/items/{item_id:int}/edit", items.item_edit, DECIDE, methods=POST,
              name="item_edit"),
        route("/items/{item_id:int}/topics", items.item_topics, DECIDE, methods=POST,
              name="item_topics"),
        route("/items/{item_id:int}/feature", items.item_feature, DECIDE, methods=POST,
              name="item_feature"),
        route("/featured", topics.featured_list, DECIDE, name="featured_list"),
        route("/items/{item_id:int}/approve", queue.item_approve, DECIDE, methods=POST,
              name="item_approve"),
        route("/items/{item_id:int}/reject", queue.item_reject, DECIDE, methods=POST,
              name="item_reject"),
        route("/items/{item_id:int}/reopen", queue.item_reopen, DECIDE, methods=POST,
              name="item_reopen"),
        route("/decisions", decisions.decision_list, DECIDE, name="decision_list"),
        route("/log", log.log_page, DECIDE, name="log_page"),
        route("/filters", saved.filter_save, DECIDE, methods=POST, name="filter_save"),
        route("/filters/{saved_id:int}/remove", saved.filter_remove, DECIDE, methods=POST,
              name="filter_remove"),
        route("/filters/{saved_id:int}/feed", saved.filter_feed_new, DECIDE, methods=POST,
              name="filter_feed_new"),
        route("/filters/{saved_id:int}/revoke", saved.filter_feed_revoke, DECIDE,
              methods=POST, name="filter_feed_revoke"),
        public("/feeds/{token}.atom", saved.filter_feed, name="filter_feed"),
        *SUBMISSION_ROUTES,
        *TRANSLATION_ROUTES,
        *(SOURCE_ROUTES if sources is not None else []),
        *(READERSHIP_ROUTES if readership is not None else []),
        route("/account", account.account_page, Privilege.ACCOUNT, name="account"),
        route("/account", account.account_language, Privilege.ACCOUNT, methods=POST,
              name="account_language"),
        *CORRESPONDENT_ROUTES,
        route("/admin/users", users.user_list, USERS, name="user_list"),
        route("/admin/users", users.user_invite, USERS, methods=POST, name="user_invite"),
        route("/admin/users/{user_id:int}/role", users.user_role, USERS, methods=POST,
              name="user_role"),
        route("/admin/users/{user_id:int}/disable", users.user_disable, USERS, methods=POST,
              name="user_disable"),
        route("/admin/users/{user_id:int}/enable", users.user_enable, USERS, methods=POST,
              name="user_enable"),
        route("/admin/users/{user_id:int}/reset", users.user_reset, USERS, methods=POST,
              name="user_reset"),
        route("/admin/rules", rules.rule_list, RULES, name="rule_list"),
        route("/admin/rules", rules.rule_add, RULES, methods=POST, name="rule_add"),
        route("/admin/rules/{rule_id:int}", rules.rule_switch, RULES, methods=POST,
              name="rule_switch"),
        route("/admin/rules/rerun", rules.rules_rerun, RULES, methods=POST,
              name="rules_rerun"),
        route("/admin/topics", topics.topic_list, RULES, name="topic_list"),
        route("/admin/topics", topics.topic_add, RULES, methods=POST, name="topic_add"),
        route("/admin/topics/{topic_id:int}", topics.topic_change, RULES, methods=POST,
              name="topic_change"),
        route("/admin/reasons", reasons.reason_list, RULES, name="reason_list"),
        route("/admin/reasons", reasons.reason_add, RULES, methods=POST, name="reason_add"),
        route("/admin/reasons/{code}", reasons.reason_change, RULES, methods=POST,
              name="reason_change"),
        public("/join/{token}", correspondents.join_form, name="join_form"),
        public("/join/{token}", correspondents.join_submit, methods=POST, name="join_submit"),
        public("/apply", correspondents.join_form, name="apply_form"),
        public("/apply", correspondents.join_submit, methods=POST, name="apply_submit"),
        public("/welcome/{token}", users.welcome_form, name="welcome_form"),
        public("/welcome/{token}", users.welcome_submit, methods=POST, name="welcome_submit"),
        public("/login", auth.login_form, name="login_form"),
        public("/login", auth.login_submit, methods=POST, name="login_submit"),
        public("/logout", auth.logout, methods=POST, name="logout"),
        Mount("/static", StaticFiles(directory=STATIC), name="editor_static"),
    ]
    app = web_app(settings, store, routes=routes, headers=EDITOR_HEADERS,
                  exception_handlers={HTTPException: error_page, RabkorError: error_page})
    app.state.templates = make_templates(settings)
    app.state.sources = sources
    app.state.readership = readership
    app.state.login_throttle = LoginThrottle(settings)
    app.state.reindexer = Reindexer(settings, store)
    return app
