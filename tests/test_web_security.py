"""Hostile requests against both web apps, as deployed (the combined server of
rabkor.app.server, addressed as http://127.0.0.1:8000 with the default trusted hosts):
security headers on every route, images and media only from public https addresses,
Host headers trusted only when named and never used for links, Secure `__Host-` cookies
under an https public URL, and the Origin/Referer check on every state-changing request.
Login throttling is in tests/editor/test_login_throttle.py."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount, Route
from starlette.testclient import TestClient

from rabkor.app.server import create_app as create_server
from rabkor.core.accounts import create_user
from rabkor.core.store.models import Item, ItemStatus, MediaKind, Source, Translation
from rabkor.core.web.headers import EDITOR_HEADERS, NOTHING_HEADERS, SITE_HEADERS
from rabkor.core.web.sessions import COOKIE, SECURE_COOKIE
from rabkor.editor.app import create_app as create_editor
from rabkor.site.app import create_app as create_site
from tests.editor.helpers import PASSWORD, csrf_of

LOCAL = "http://127.0.0.1:8000"


@pytest.fixture
def server(settings, store) -> Iterator[TestClient]:
    with TestClient(create_server(settings, store), base_url=LOCAL) as client:
        yield client


def add_item(store, title: str = "Dockers strike", **fields: object) -> int:
    """An approved item (with a pending translation pair for the editor's pages)."""
    with store.transaction() as s:
        source = Source(feed_url=f"http://example.org/feed/{title}", title="Example")
        item = Item(source=source, url=f"https://example.org/{title}", title=title, language="es",
                    status=fields.pop("status", ItemStatus.APPROVED), **fields)
        item.translations.append(Translation(field="title", language="en",
                                             source_language="es", text=title,
                                             engine="argos"))
        s.add(item)
        s.flush()
        return item.id


def log_in(client: TestClient, store, prefix: str = "/editor") -> None:
    with store.transaction() as s:
        create_user(s, "admin-user", PASSWORD, "admin")
    token = csrf_of(client.get(f"{prefix}/login").text)
    response = client.post(f"{prefix}/login", follow_redirects=False, data={
        "username": "admin-user", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.text


# --- security headers, on every route of both apps ----------------------------------------

def walk(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) for every route, recursing into mounts; a mount without routes (the
    static files) gets its stylesheet and a missing file."""
    for route in routes:
        if isinstance(route, Mount):
            app = route.app
            while not hasattr(app, "routes") and hasattr(app, "app"):  # through middleware
                app = app.app
            inner = getattr(app, "routes", None)
            if inner:
                yield from walk(inner, prefix + route.path)
            else:
                for name in ("site.css", "editor.css", "missing.css"):
                    yield "GET", f"{prefix}{route.path}/{name}"
        elif isinstance(route, Route):
            path = prefix + re.sub(r"{(\w+)(?::\w+)?}", lambda m: PARAMS.get(m[1], "1"),
                                   route.path)
            for method in sorted(route.methods or {"GET"}):
                yield method, path or "/"


PARAMS = {"lang": "en", "id": "1", "item_id": "1", "revision_id": "1", "source_id": "1"}


def check_headers(response, expected: dict[str, str], where: str) -> None:
    for name, value in expected.items():
        assert response.headers.get(name) == value, (where, response.status_code, name)


@pytest.mark.parametrize("logged_in", [False, True])
def test_every_route_of_both_apps_has_the_security_headers(settings, store, logged_in):
    settings = settings.with_(trusted_hosts=("testserver",))
    assert add_item(store) == 1  # the id the walk asks for
    for create, expected in ((create_site, SITE_HEADERS), (create_editor, EDITOR_HEADERS)):
        app = create(settings, store)
        with TestClient(app) as client:
            if logged_in and create is create_editor:
                log_in(client, store, prefix="")
            seen = set()
            for method, path in walk(app.routes):
                response = client.request(method, path, follow_redirects=False)
                seen.add(response.status_code)
                check_headers(response, expected, f"{method} {path}")
            # errors carry them too: a missing page, a refused Host, an unknown method
            for response in (client.get("/no/such/page/at/all"),
                             client.get("/", headers={"host": "evil.example"}),
                             client.request("PATCH", "/")):
                check_headers(response, expected, response.request.url)
        assert 200 in seen and len(seen) > 2, seen


def test_the_combined_server_has_each_apps_headers_and_the_callbacks_load_nothing(
        server, store):
    add_item(store)
    app: Starlette = server.app  # type: ignore[assignment]
    paths = list(walk(app.routes))
    assert {path.split("/")[1] for _, path in paths} >= {"editor", "websub", "static", "en"}
    for method, path in paths:
        response = server.request(method, path, follow_redirects=False)
        expected = (EDITOR_HEADERS if path.startswith("/editor") else
                    NOTHING_HEADERS if path.startswith("/websub") else SITE_HEADERS)
        check_headers(response, expected, f"{method} {path}")
    check_headers(server.get("/", headers={"host": "evil.example"}), NOTHING_HEADERS, "host")


async def crash(request: Request) -> None:
    raise RuntimeError("not a RabkorError: Starlette's own 500")


def test_a_crash_still_carries_the_headers(settings, store):
    settings = settings.with_(trusted_hosts=("testserver",))
    for create, expected in ((create_site, SITE_HEADERS), (create_editor, EDITOR_HEADERS)):
        app = create(settings, store)
        app.router.routes.insert(0, Route("/crash", crash))
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/crash")
        assert response.status_code == 500
        check_headers(response, expected, "crash")


def test_the_policies_forbid_inline_code_framing_and_plugins():
    for headers in (SITE_HEADERS, EDITOR_HEADERS):
        policy = dict(part.split(" ", 1) for part in
                      headers["Content-Security-Policy"].split("; "))
        assert policy["script-src"] == policy["style-src"] == "'self'"
        assert "unsafe" not in headers["Content-Security-Policy"]
        assert policy["frame-ancestors"] == policy["object-src"] == policy["base-uri"] == \
            "'none'"
        assert policy["img-src"] == "'self' https:" and policy["form-action"] == "'self'"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
    site = SITE_HEADERS["Content-Security-Policy"]
    assert "media-src 'self' https:" in site
    assert "frame-src https://www.youtube-nocookie.com" in site
    assert EDITOR_HEADERS["Referrer-Policy"] == "same-origin"


def test_no_template_has_inline_script_style_or_handlers():
    from pathlib import Path

    root = Path(__file__).parents[1]
    for template in [*root.glob("site/templates/**/*.html"),
                     *root.glob("editor/templates/**/*.html")]:
        html = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:",
                             html, re.IGNORECASE), template


# --- remote images and media: public https addresses only ---------------------------------

INTRANET = ["http://10.0.0.1/intranet.png", "https://10.0.0.1/intranet.png",
            "http://0x0a000001/hex.png", "https://[::ffff:10.0.0.1]/mapped.png",
            "https://[64:ff9b::a00:1]/nat64.png", "http://169.254.169.254/metadata.png",
            "http://intranet/single-label.png", "https://printer.local/mdns.png",
            "http://localhost:8080/own.png", "http://192.168.1.1:8080/router.png"]


def test_intranet_images_are_not_shown_on_the_site_or_in_the_editor(server, store):
    images = "".join(f'<img src="{url}" alt="x{n}">' for n, url in enumerate(INTRANET))
    kept = ('<img src="http://www.heise.de/a.jpg" alt="upgraded">'
            '<img src="https://cdn.example.org/b.png" alt="kept">')
    item = add_item(store, content=f"<p>{images}{kept}</p>", summary=f"<p>{images}</p>")
    page = server.get(f"/en/items/{item}").text
    log_in(server, store)
    with store.transaction() as s:
        s.get(Item, item).status = ItemStatus.PENDING
    queue = server.get("/editor/").text
    for shown in (page, queue):
        sources = re.findall(r'<img[^>]*src="([^"]*)"', shown)
        assert all(url.startswith("https://") for url in sources), sources
        for url in INTRANET:
            host = re.match(r"https?://([^/]+)", url)[1]
            assert host not in shown, host
    assert 'src="https://www.heise.de/a.jpg"' in page
    assert 'src="https://cdn.example.org/b.png"' in page
    assert 'alt="x0"' in page  # the image's words stay, without its address


def test_players_and_posters_from_intranet_addresses_are_not_shown(server, store):
    audio = add_item(store, "Talk", media_kind=MediaKind.AUDIO,
                     enclosure_url="http://10.0.0.1/talk.mp3", enclosure_type="audio/mpeg")
    assert "<audio" not in server.get(f"/en/items/{audio}").text
    video = add_item(store, "Clip", media_kind=MediaKind.VIDEO,
                     enclosure_url="http://media.example.org/clip.mp4",
                     enclosure_type="video/mp4", image_url="http://192.168.0.1/poster.jpg")
    page = server.get(f"/en/items/{video}").text
    assert '<video controls preload="none" src="https://media.example.org/clip.mp4">' in page
    assert "192.168" not in page and "poster=" not in page


# --- Host headers: trusted names only, never the source of a link --------------------------

def test_a_spoofed_host_is_refused_and_never_reaches_a_link(server, store, settings):
    add_item(store)
    for host in ("evil.example", "127.0.0.1:8000@evil.example", "evil.example:8000",
                 "127.0.0.1.evil.example", "localhost evil.example"):
        for path in ("/en/feed.atom", "/", "/editor/login", "/websub/1"):
            response = server.get(path, headers={"host": host}, follow_redirects=False)
            assert response.status_code == 400, (host, path)
            assert "evil.example" not in response.text
    assert server.get("/en/", headers={"host": "localhost:8000"}).status_code == 200
    feed = server.get("/en/feed.atom", headers={"host": "localhost:8000"}).text
    assert f'href="{LOCAL}/en/items/1"' in feed and f'href="{LOCAL}/en/feed.atom"' in feed
    assert server.get("/", follow_redirects=False).headers["location"] == "/en/"


def test_with_every_host_trusted_links_still_come_from_the_public_url(settings, store):
    add_item(store)
    settings = settings.with_(trusted_hosts=("*",), public_url="https://news.example.org/")
    with TestClient(create_server(settings, store), base_url="http://evil.example") as client:
        feed = client.get("/en/feed.atom").text
        home = client.get("/", follow_redirects=False)
        page = client.get("/en/").text
    assert "evil.example" not in feed and "evil.example" not in page
    assert '<id>https://news.example.org/en/feed.atom</id>' in feed
    assert 'href="https://news.example.org/en/items/1"' in feed
    assert home.headers["location"] == "/en/"


def test_the_default_trusted_hosts_follow_the_settings(settings):
    from rabkor.core.web.origins import public_base, trusted_hosts

    assert trusted_hosts(settings) == ["127.0.0.1", "localhost"]
    public = settings.with_(public_url="https://News.Example.org/news/", host="0.0.0.0")
    assert trusted_hosts(public) == ["news.example.org", "127.0.0.1", "localhost"]
    assert public_base(public) == "https://news.example.org/news"
    assert public_base(settings.with_(host="0.0.0.0", port=9000)) == "http://127.0.0.1:9000"
    assert trusted_hosts(settings.with_(host="192.168.1.5")) == [
        "192.168.1.5", "127.0.0.1", "localhost"]
    assert trusted_hosts(settings.with_(trusted_hosts=("*.example.org",))) == ["*.example.org"]


# --- cookies: __Host- and Secure when the public URL is https -----------------------------

def test_an_https_public_url_makes_the_session_cookie_secure_and_host_only(settings, store):
    settings = settings.with_(public_url="https://news.example.org")
    with TestClient(create_server(settings, store),
                    base_url="https://news.example.org") as client:
        cookie = client.get("/editor/login").headers["set-cookie"]
        assert cookie.startswith(f"{SECURE_COOKIE}=")
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert attributes == {"path", "httponly", "samesite", "secure"}  # no Domain
        assert "Path=/;" in cookie
        log_in(client, store)
        assert client.get("/editor/", follow_redirects=False).status_code == 200
        # a cookie under the plain name (planted over http, or by a subdomain) is no session
        token = client.cookies[SECURE_COOKIE]
        client.cookies.clear()
        client.cookies.set(COOKIE, token)
        assert client.get("/editor/", follow_redirects=False).status_code == 303


def test_a_plain_http_site_keeps_the_plain_cookie(server):
    cookie = server.get("/editor/login").headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "Secure" not in cookie


# --- Origin and Referer on state-changing requests -----------------------------------------

def login_post(client: TestClient, **headers: str):
    token = csrf_of(client.get("/editor/login").text)
    return client.post("/editor/login", headers=headers, follow_redirects=False,
                       data={"username": "nobody", "password": "wrong password",
                             "csrf_token": token})


@pytest.mark.parametrize("headers", [
    {"origin": "https://evil.example"},
    {"referer": "https://evil.example/a/page"},
    {"origin": "null"},
    {"origin": "http://127.0.0.1:8000.evil.example"},
    {"origin": "http://127.0.0.1:9999"},
    {"origin": "https://127.0.0.1:8000"},
    {"origin": "https://evil.example", "referer": f"{LOCAL}/editor/login"},
    {"referer": "not a url"},
])
def test_state_changes_from_another_origin_are_refused(server, headers):
    response = login_post(server, **headers)
    assert response.status_code == 403
    assert "came from another site" in response.text and "<html" in response.text
    check_headers(response, EDITOR_HEADERS, "refusal")


@pytest.mark.parametrize("headers", [
    {}, {"origin": LOCAL}, {"referer": f"{LOCAL}/editor/login"},
    {"origin": "http://localhost:8000", "host": "localhost:8000"},
])
def test_state_changes_from_this_site_or_without_either_header_pass(server, headers):
    response = login_post(server, **headers)
    assert response.status_code == 400 and "Wrong username or password" in response.text


def test_the_public_origin_passes_and_the_site_is_checked_too(settings, store):
    settings = settings.with_(public_url="https://news.example.org")
    with TestClient(create_server(settings, store), base_url="https://127.0.0.1:8000") as client:
        # behind a proxy (https in X-Forwarded-Proto) the app sees its local host, the
        # browser the public one
        assert login_post(client, origin="https://news.example.org").status_code == 400
        token = csrf_of(client.get("/en/submit").text)
        form = {"url": "https://example.org/story", "csrf_token": token}
        refused = client.post("/en/submit", data=form, headers={"origin": "https://evil.example"})
        assert refused.status_code == 403 and 'lang="en"' in refused.text
        sent = client.post("/en/submit", data=form, follow_redirects=False,
                           headers={"origin": "https://news.example.org"})
        assert sent.status_code == 303


def test_websub_callbacks_take_posts_from_any_origin(server):
    """Hubs push from their own origin: the callback app answers for itself (here: no such
    subscription), the Origin check is not in its way."""
    response = server.post("/websub/12345", content=b"<feed/>",
                           headers={"origin": "https://hub.example", "content-type":
                                    "application/atom+xml"})
    assert (response.status_code, response.text) == (404, "no such subscription")
