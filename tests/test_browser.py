"""In a real browser: an editor logs in, approves an item, and sees it on the public site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from rabkor.app.server import create_app
from rabkor.core.accounts import create_user
from rabkor.core.store.models import Item
from rabkor.crawler.run import crawl
from rabkor.crawler.sources.manage import add_source
from tests.net import free_port, served

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def live_site(settings, store) -> Iterator[str]:
    with served(create_app(settings, store), free_port()) as url:
        yield url


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def test_editor_approves_an_item_and_readers_see_it(settings, store, feed_server, live_site,
                                                    browser):
    with store.transaction() as s:
        add_source(s, feed_server.url("de/spiegel.xml"), title="Der Spiegel", language="de")
        create_user(s, "edith", "a long password", "editor")
    assert crawl(settings, store).new_items == 1
    with store.read() as s:
        title = s.scalar(select(Item.title))

    page = browser.new_page()
    page.goto(f"{live_site}/de/")
    assert title not in page.content()  # pending items are not public

    page.goto(f"{live_site}/editor/")
    page.fill("input[name=username]", "edith")
    page.fill("input[name=password]", "a long password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert title in page.content()  # the queue shows the pending item
    page.click("button:has-text('Approve')")
    page.wait_for_load_state()
    assert title not in page.locator("main").inner_text()  # gone from the queue

    page.goto(f"{live_site}/de/")
    assert title in page.content()
    page.screenshot(path=str(settings.data_dir / "site.png"))
