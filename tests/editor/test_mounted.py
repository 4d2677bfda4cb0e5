"""Mounted under /editor next to the public site, every link and redirect keeps the prefix."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from rabkor.core.store.models import Item, ItemStatus
from rabkor.editor.app import create_app
from tests.editor.helpers import add_item, csrf_of


async def site_page(request):
    return PlainTextResponse("the public site")


@pytest.fixture
def mounted(settings, store):
    """A combined server like the real one: a named mount, and site routes whose names clash."""
    server = Starlette(routes=[
        Mount("/editor", app=create_app(settings, store), name="editor"),
        Route("/login", site_page, name="login_form"),
        Route("/", site_page, name="queue_list"),
    ])
    with TestClient(server) as client:
        yield client


def links(html: str) -> set[str]:
    return set(re.findall(r'(?:href|action)="([^"]*)"', html))


def test_anonymous_visitors_land_on_the_mounted_login_page(mounted):
    response = mounted.get("/editor/", follow_redirects=False)
    assert response.headers["location"] == "/editor/login"
    page = mounted.get("/editor/login")
    assert links(page.text) == {"/editor/static/editor.css", "/editor/login"}
    assert mounted.get("/editor/static/editor.css").status_code == 200


def test_login_decide_and_logout_stay_under_the_prefix(mounted, store, login_as):
    item_id = add_item(store, translations={("title", "en"): "Strike"})
    login_as(mounted, "editor", prefix="/editor")
    queue = mounted.get("/editor/")
    assert queue.status_code == 200 and "Strike" in queue.text
    local = {link for link in links(queue.text) if not link.startswith("http://example.org")}
    assert local == {"/editor/", "/editor/static/editor.css", "/editor/decisions",
                     "/editor/translations", "/editor/translations/reviews",
                     "/editor/account", "/editor/profile", "/editor/invitations",
                     "/editor/assignments", "/editor/log", "/editor/logout", "/editor/featured",
                     f"/editor/items/{item_id}/approve",
                     f"/editor/items/{item_id}/reject", "/editor/items/bulk",
                     f"/editor/items/{item_id}",
                     # the facets' links, each a filter of the queue
                     "/editor/?original=es", "/editor/?kind=article", "/editor/?source=1"}

    token = csrf_of(queue.text)
    approved = mounted.post(f"/editor/items/{item_id}/approve", follow_redirects=False,
                            data={"csrf_token": token})
    assert approved.headers["location"] == f"/editor/?done=approve&item={item_id}"
    confirmed = mounted.get(approved.headers["location"])
    assert f'action="/editor/items/{item_id}/reopen"' in confirmed.text
    with store.read() as s:
        assert s.get(Item, item_id).status is ItemStatus.APPROVED

    out = mounted.post("/editor/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.headers["location"] == "/editor/login"
    assert mounted.get("/editor/", follow_redirects=False).headers["location"] == (
        "/editor/login")
    assert mounted.get("/").text == "the public site"
