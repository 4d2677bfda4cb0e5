"""Server-side sessions and CSRF tokens for both web applications.

The cookie holds only a random token; the session lives in the store under the token's
hash, so logging out (deleting the row) really ends it. Every session carries a CSRF
token that each form echoes and each POST must present.

When the site is public over https (`public_url` starts with https://) the cookie is
`__Host-rabkor_session` with `Secure`: browsers send it over https only, and the prefix
makes them refuse one set without Secure, with a Domain or for a narrower Path, so a
neighbouring subdomain or a plain-http page cannot plant a session of its choosing.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rabkor.core.accounts import token_digest
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Role, User, WebSession, utcnow

COOKIE = "rabkor_session"
SECURE_COOKIE = "__Host-rabkor_session"
LOGIN_LIFETIME = timedelta(days=14)
ANONYMOUS_LIFETIME = timedelta(days=1)
SCOPE_KEY = "rabkor.session"


@dataclass
class SessionState:
    """What a request knows about its session; changes are written back by the middleware."""

    store: Store
    token: str | None = None
    csrf: str | None = None
    user_id: int | None = None
    username: str | None = None
    role: Role | None = None
    ui_language: str | None = None  # the person's desk language, read with the session
    set_cookie: str | None = None
    clear_cookie: bool = False

    def _create(self, user: User | None) -> None:
        token = secrets.token_urlsafe(32)
        lifetime = LOGIN_LIFETIME if user else ANONYMOUS_LIFETIME
        csrf = secrets.token_urlsafe(32)
        with self.store.transaction() as s:
            s.add(WebSession(id=token_digest(token), user_id=user.id if user else None,
                             csrf_token=csrf, data={}, expires_at=utcnow() + lifetime))
        self.token, self.csrf, self.set_cookie, self.clear_cookie = token, csrf, token, False
        self.take_user(user)

    def take_user(self, user: User | None) -> None:
        """The signed-in person's fields the pages read (None: nobody)."""
        self.user_id = user.id if user else None
        self.username = user.username if user else None
        self.role = user.role if user else None
        self.ui_language = user.ui_language if user else None

    def csrf_token(self) -> str:
        """The token forms must carry; starts an anonymous session when there is none."""
        if self.csrf is None:
            self._create(None)
        assert self.csrf is not None
        return self.csrf

    def login(self, user: User) -> None:
        """A fresh session for this user; the previous one is dropped (no fixation)."""
        self._drop()
        self._create(user)

    def logout(self) -> None:
        self._drop()
        self.clear_cookie = True

    def _drop(self) -> None:
        if self.token:
            with self.store.transaction() as s:
                s.execute(delete(WebSession).where(WebSession.id == token_digest(self.token)))
        self.token = self.csrf = self.user_id = self.username = self.role = None
        self.ui_language = None


def session_of(conn: HTTPConnection) -> SessionState:
    return conn.scope[SCOPE_KEY]


async def verify_csrf(request: Request) -> dict[str, str]:
    """The submitted form, if its CSRF token matches the session's; 403 otherwise."""
    form = await request.form()
    sent = str(form.get("csrf_token", ""))
    expected = session_of(request).csrf or ""
    if not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "This form has expired or did not come from this site. "
                                 "Reload the page and try again.")
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


def secure_cookies(settings: Settings) -> bool:
    """Whether session cookies are `__Host-` and `Secure`: when the public URL is https."""
    return settings.public_url.strip().lower().startswith("https://")


class SessionMiddleware:
    """Loads the session named by the cookie and writes cookie changes on the response."""

    def __init__(self, app: ASGIApp, store: Store, secure_cookie: bool = False) -> None:
        self.app, self.store, self.secure = app, store, secure_cookie
        self.cookie = SECURE_COOKIE if secure_cookie else COOKIE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or SCOPE_KEY in scope:
            await self.app(scope, receive, send)
            return
        state = SessionState(self.store)
        token = HTTPConnection(scope).cookies.get(self.cookie)
        if token:
            self._load(state, token)
        scope[SCOPE_KEY] = state

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                attrs = "Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if self.secure else "")
                if state.set_cookie:
                    headers.append("Set-Cookie", f"{self.cookie}={state.set_cookie}; {attrs}")
                elif state.clear_cookie:
                    headers.append("Set-Cookie", f"{self.cookie}=; Max-Age=0; {attrs}")
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _load(self, state: SessionState, token: str) -> None:
        with self.store.read() as s:
            row = s.get(WebSession, token_digest(token))
            if row is None or row.expires_at < utcnow():
                state.clear_cookie = True
                return
            user = row.user
            if user is not None and not user.active:
                state.clear_cookie = True
                return
            state.token, state.csrf = token, row.csrf_token
            state.take_user(user)
