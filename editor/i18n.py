"""The desk in the editor's language: the one chosen on the account page, else the one
the browser asks for among the default site languages (the login page's too).

The strings go through the mechanism both web apps share (rabkor.core.i18n), with the
editor's own catalogs (editor/locales/<lang>/LC_MESSAGES/messages.po, `make messages`).
The words the store keeps for statuses, roles, kinds and log events are shown through
`word`, so they read in the editor's language while the store keeps them in English.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request

from rabkor.core import i18n
from rabkor.core.i18n import N_, negotiate, number, use
from rabkor.core.languages import direction, native_name
from rabkor.core.settings import DEFAULT_LANGUAGES
from rabkor.core.web.sessions import session_of

__all__ = ["LANGUAGES", "N_", "_", "choose", "direction", "language_name", "native_name",
           "ngettext", "number", "use", "word"]

LOCALES = Path(__file__).parent / "locales"
CATALOG = i18n.Catalog(LOCALES)
_ = CATALOG.gettext
ngettext = CATALOG.ngettext
LANGUAGES = DEFAULT_LANGUAGES  # the languages the desk is translated into

WORDS = {
    # items, submissions and translations
    "pending": N_("pending"), "approved": N_("approved"), "rejected": N_("rejected"),
    "fetched": N_("fetched"), "draft": N_("draft"), "submitted": N_("submitted"),
    "accepted": N_("accepted"), "returned": N_("returned"), "received": N_("received"),
    "published": N_("published"), "duplicate": N_("duplicate"), "failed": N_("failed"),
    "withdrawn": N_("withdrawn"),
    # kinds of item and source
    "article": N_("article"), "audio": N_("audio"), "video": N_("video"),
    "lecture": N_("lecture"),
    # kinds of submitted link besides those
    "pdf": N_("PDF"), "feed": N_("feed"), "site": N_("site with feeds"),
    # roles
    "admin": N_("admin"), "editor": N_("editor"), "translator": N_("translator"),
    "correspondent": N_("correspondent"),
    # decisions and rules
    "approve": N_("approve"), "reject": N_("reject"), "reopen": N_("reopen"),
    "flag": N_("flag"), "trusted source": N_("trusted source"),
    "blocked domain": N_("blocked domain"), "keywords": N_("keywords"),
    "pattern": N_("pattern"),
    # a source's state
    "ok": N_("ok"), "failing": N_("failing"), "never fetched": N_("never fetched"),
    "disabled": N_("disabled"),
    # a translation's parts
    "title": N_("title"), "summary": N_("summary"), "content": N_("content"),
    # the log's events
    "decision": N_("decision"), "note": N_("note"), "lock taken over": N_("lock taken over"),
    "item edited": N_("item edited"), "topics changed": N_("topics changed"),
    "featured": N_("featured"), "no longer featured": N_("no longer featured"),
    "reason added": N_("reason added"), "reason changed": N_("reason changed"),
    "rule added": N_("rule added"), "rule changed": N_("rule changed"),
    "rules re-run": N_("rules re-run"), "source added": N_("source added"),
    "source edited": N_("source edited"), "source enabled": N_("source enabled"),
    "source disabled": N_("source disabled"), "sources imported": N_("sources imported"),
    "category added": N_("category added"),
    "category retired": N_("category retired"), "category restored": N_("category restored"),
    "topic added": N_("topic added"), "topic renamed": N_("topic renamed"),
    "topic retired": N_("topic retired"), "topic restored": N_("topic restored"),
    "user invited": N_("user invited"), "user role": N_("role changed"),
    "user enabled": N_("user enabled"), "user disabled": N_("user disabled"),
    "password reset link": N_("password reset link"), "password set": N_("password set"),
    "invitation made": N_("invitation made"), "invitation revoked": N_("invitation revoked"),
    "correspondent joined": N_("correspondent joined"),
    "correspondent approved": N_("correspondent approved"),
    "account deleted": N_("account deleted"),
    "assignment list made": N_("assignment list made"),
    "assignment list closed": N_("assignment list closed"),
    "task claimed": N_("task claimed"), "task given back": N_("task given back"),
    "task done": N_("task done"),
}


def word(value: object) -> str:
    """A status, role, kind or log event as the editor's language says it; a value this
    version does not know, as stored."""
    text = str(value)
    return _(WORDS[text]) if text in WORDS else text


def language_name(code: str | None) -> str:
    """Editors read "Spanish" (or "espagnol"), not "es"."""
    return i18n.language_name(code) if code else _("unknown language")


async def choose(request: Request) -> str:
    """Set the language of this request's page: the signed-in person's choice (read with
    the session, where a query of its own cost 1-1.5 ms a request), else the browser's
    among LANGUAGES."""
    chosen = session_of(request).ui_language
    lang = chosen if chosen in LANGUAGES else negotiate(
        request.headers.get("accept-language", ""), LANGUAGES)
    use(lang)
    return lang
