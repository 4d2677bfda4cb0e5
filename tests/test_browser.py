"""In a real browser: an editor logs in, approves an item, and sees it on the public site."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rabkor.app.server import create_app
from rabkor.core.accounts import create_user
from rabkor.core.store.models import Item, ItemStatus, ItemTopic, MediaKind, Source
from rabkor.crawler.run import crawl
from rabkor.crawler.sources.manage import add_source
from tests.net import free_port, served

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("RABKOR_ARTIFACTS", Path(__file__).parents[1] / "test-artifacts")
             ) / "screenshots"
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


def _shot(page, name: str) -> None:
    """A full-page screenshot kept after the run, to be looked at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _log_in(page, base: str, name: str, password: str = "a long password"):
    """Log `page` in to the editor as `name`; the page, on the landing page."""
    page.goto(f"{base}/editor/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


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

    _log_in(page, live_site, "edith")
    assert title in page.content()  # the queue shows the pending item
    page.click("article.item button:has-text('Approve')")
    page.wait_for_load_state()
    assert title not in page.locator("main").inner_text()  # gone from the queue

    page.goto(f"{live_site}/de/")
    assert title in page.content()
    page.screenshot(path=str(settings.data_dir / "site.png"))


# A 1×1 PNG, what the stand-in image host answers.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000000030101001a3f6e8c0000000049454e44ae426082")
STAND_INS = {
    "https://www.youtube-nocookie.com/": ("text/html", b"<h1>YouTube stand-in</h1>"),
    "https://images.example.org/": ("image/png", PIXEL),
    "https://audio.example.org/": ("audio/mpeg", b""),
}


def test_pages_work_under_the_content_security_policy(settings, store, live_site, browser):
    """Chromium enforces the CSP: the stylesheets apply, the YouTube embed and https images
    load, nothing is refused, and an intranet image is never even requested."""
    with store.transaction() as s:
        source = Source(feed_url="https://example.org/feed", title="Example Radio")
        items = [
            Item(source=source, url="https://example.org/talk", title="A talk on the docks",
                 language="en", status=ItemStatus.APPROVED, media_kind=MediaKind.AUDIO,
                 enclosure_url="http://audio.example.org/talk.mp3",
                 enclosure_type="audio/mpeg", summary="<p>Listen to the dockers.</p>"),
            Item(source=source, url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                 title="A video of the strike", language="en", status=ItemStatus.APPROVED,
                 media_kind=MediaKind.VIDEO, summary="<p>Watch it.</p>"),
            Item(source=source, url="https://example.org/photo", title="Photos of the march",
                 language="en", status=ItemStatus.APPROVED,
                 content='<p><img src="https://images.example.org/march.png" alt="March">'
                         '<img src="http://10.0.0.1/intranet.png" alt="Intranet"></p>'),
        ]
        s.add_all(items)
        s.flush()
        audio, video, photo = (item.id for item in items)
        create_user(s, "edith", "a long password", "editor")

    page = browser.new_page()
    refused, requested = [], []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: requested.append(r.url))

    def stand_in(route):
        for prefix, (kind, body) in STAND_INS.items():
            if route.request.url.startswith(prefix):
                return route.fulfill(status=200, content_type=kind, body=body)
        return route.continue_() if route.request.url.startswith(live_site) else route.abort()

    page.route("**/*", stand_in)
    shots = settings.data_dir

    page.goto(f"{live_site}/en/items/{audio}")
    assert page.evaluate("getComputedStyle(document.body).maxWidth") == "736px"  # site.css
    assert page.locator("audio").get_attribute("src") == "https://audio.example.org/talk.mp3"
    assert page.locator("audio").bounding_box()["height"] > 20  # its controls are shown
    page.screenshot(path=str(shots / "audio.png"), full_page=True)

    page.goto(f"{live_site}/en/items/{video}")
    frame = page.frame_locator(".embed iframe")
    assert frame.locator("h1").inner_text() == "YouTube stand-in"
    page.screenshot(path=str(shots / "youtube.png"), full_page=True)

    page.goto(f"{live_site}/en/items/{photo}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('img[alt=March]').naturalWidth") == 1
    page.screenshot(path=str(shots / "photo.png"), full_page=True)

    page.goto(f"{live_site}/editor/login")
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"  # editor.css
    page.fill("input[name=username]", "edith")
    page.fill("input[name=password]", "a long password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.screenshot(path=str(shots / "editor.png"), full_page=True)

    assert refused == []
    assert not any("10.0.0.1" in url for url in requested)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_search_page_at_two_widths_with_axe(settings, store, browser, lang):
    """Snippets marked, facets beside the hits (after them on a phone), no sideways
    scrolling at 390 px, and no accessibility violation that axe-core finds."""

    from rabkor.core.store.models import Translation
    from rabkor.search.indexer import update_index

    with store.transaction() as s:
        source = Source(feed_url="https://example.org/feed", title="Dock Workers' Radio")
        for n in range(3):
            item = Item(source=source, url=f"https://example.org/{n}", language="en",
                        title=f"Dockers strike in port number {n}", status=ItemStatus.APPROVED,
                        summary="<p>A long night at the gates: the dockers strike again, "
                                "and the harbour stays closed until the talks resume.</p>")
            item.translations += [
                Translation(field="title", language="ar", source_language="en",
                            text=f"إضراب عمال الميناء رقم {n}", engine="apertium"),
                Translation(field="summary", language="ar", source_language="en",
                            text="ليلة طويلة عند البوابات: عمال الميناء يضربون مرة أخرى.",
                            engine="apertium")]
            s.add(item)
    settings = settings.with_(languages=("en", "ar"))
    update_index(settings, store)
    q = "dockers" if lang == "en" else "الميناء"
    with served(create_app(settings, store), free_port()) as live_site:
        _walk_search(settings, browser, live_site, lang, q)


def _walk_search(settings, browser, live_site: str, lang: str, q: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
        page.goto(f"{live_site}/{lang}/search?q={q}")
        assert page.locator("mark").count() >= 3
        assert page.locator(".facets a").count() >= 2
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(settings.data_dir / f"search-{lang}-{width}.png"),
                        full_page=True)
        violations = Axe().run(page).response["violations"]
        assert violations == [], [(v["id"], v["nodes"][0]["html"]) for v in violations]
        page.close()


def test_the_desk_filters_and_bulk_approves_at_two_widths_with_axe(settings, store, browser):
    """The queue with its facets and filters, selected items approved at once by the bulk
    form, at 1280 and 390 px: nothing off-screen, no accessibility violation."""
    from axe_playwright_python.sync_playwright import Axe

    from rabkor.core.store.models import Translation

    with store.transaction() as s:
        sources = [Source(feed_url=f"https://example.org/{n}/feed", title=title, category=cat)
                   for n, (title, cat) in enumerate([("Dock Workers' Radio", "syndicalist"),
                                                      ("La Izquierda Diario", "trotskyist")])]
        for n in range(12):
            item = Item(source=sources[n % 2], url=f"https://example.org/items/{n}",
                        language="es" if n % 3 else "fr", status=ItemStatus.PENDING,
                        media_kind=MediaKind.AUDIO if n % 4 == 0 else MediaKind.ARTICLE,
                        title=f"Huelga en el puerto, día {n}",
                        summary="<p>Los estibadores paran otra vez.</p>")
            item.translations.append(Translation(field="title", language="en",
                                                 source_language="es", engine="apertium",
                                                 text=f"Strike at the port, day {n}"))
            s.add(item)
        create_user(s, "edith", "a long password", "editor")
    with served(create_app(settings, store), free_port()) as live_site:
        for width, spanish in ((1280, 8), (390, 5)):  # three approved at 1280
            page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
            _log_in(page, live_site, "edith")
            page.click(".facets a:has-text('Spanish')")
            page.wait_for_load_state()
            assert page.locator("article.item").count() == spanish
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert page.locator("button:has-text('Log out')").bounding_box()["x"] < width
            page.screenshot(path=str(settings.data_dir / f"desk-{width}.png"), full_page=True)
            violations = Axe().run(page).response["violations"]
            assert violations == [], [(v["id"], v["nodes"][0]["html"]) for v in violations]
            if width == 1280:
                for box in page.locator("input[name=ids]").all()[:3]:
                    box.check()
                page.click("button:has-text('Approve selected')")
                page.wait_for_load_state()
                assert "Approved 3 items" in page.locator(".flash").inner_text()
                assert page.locator("article.item").count() == 5  # the filter kept
            page.close()
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Item).where(
            Item.status == ItemStatus.APPROVED)) == 3


def test_a_keyboard_only_session_on_the_desk(settings, store, browser):
    """Log in, move with j/k, approve three with a, reject one with r and a reason, select
    ten with x and approve them with shift-a, correct a title with e: every decision
    recorded, no mouse."""
    from rabkor.core.store.models import Decision

    with store.transaction() as s:
        source = Source(feed_url="https://example.org/feed", title="Dock Workers' Radio")
        for n in range(20):
            s.add(Item(source=source, url=f"https://example.org/items/{n}", language="es",
                       status=ItemStatus.PENDING, title=f"Huelga en el puerto, día {n}"))
        create_user(s, "edith", "a long password", "editor")
    with served(create_app(settings, store), free_port()) as live_site:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{live_site}/editor/login")
        page.wait_for_function("document.activeElement.name === 'username'")  # autofocus
        page.keyboard.type("edith")
        page.keyboard.press("Tab")
        page.keyboard.type("a long password")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_site}/editor/")
        page.locator("body").focus()
        for _ in range(3):
            page.keyboard.press("j")
            with page.expect_navigation():
                page.keyboard.press("a")
            assert "Approved" in page.locator(".flash").inner_text()
            page.evaluate("document.activeElement.blur()")
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("k")  # back to the first
        page.keyboard.press("r")  # the reason code's list: typing picks "not news"
        page.keyboard.type("not")
        page.keyboard.press("Tab")
        page.keyboard.type("an old story")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.evaluate("document.activeElement.blur()")
        page.keyboard.press("?")
        assert page.locator("dialog#keys").is_visible()
        page.keyboard.press("Escape")
        for _ in range(10):
            page.keyboard.press("j")
            page.keyboard.press("x")
        assert page.locator("input[name=ids]:checked").count() == 10
        with page.expect_navigation():
            page.keyboard.press("Shift+A")
        assert "Approved 10 items" in page.locator(".flash").inner_text()
        page.evaluate("document.activeElement.blur()")
        page.keyboard.press("j")
        with page.expect_navigation():
            page.keyboard.press("e")  # the item's page, at its title
        from playwright.sync_api import expect

        expect(page.locator("#edit input[name=title]")).to_be_focused()
        page.keyboard.press("End")
        page.keyboard.type(" (corrected)")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.close()
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Item).where(
            Item.title.like("% (corrected)"))) == 1
        actions = sorted(d.action for d in s.scalars(select(Decision)))
        reasons = [(d.reason_code, d.reason) for d in s.scalars(select(Decision))
                   if d.action == "reject"]
    assert actions == ["approve"] * 13 + ["reject"]
    assert reasons == [("not-news", "an old story")]


def test_two_editors_on_one_item_and_the_desk_pages_with_axe(settings, store, browser):
    """Two browser contexts: the second editor sees the first's lock on the queue and the
    item page, has no decision buttons, takes over, and decides; the item, people, log and
    reasons and rules pages pass axe-core at 1280 and 390 px."""
    from axe_playwright_python.sync_playwright import Axe

    from rabkor.core.store.models import Decision

    with store.transaction() as s:
        source = Source(feed_url="https://example.org/feed", title="Dock Workers' Radio")
        item = Item(source=source, url="https://example.org/items/1", language="es",
                    status=ItemStatus.PENDING, title="Huelga en el puerto",
                    summary="<p>Los estibadores paran otra vez.</p>")
        s.add(item)
        s.flush()
        item_id = item.id
        create_user(s, "maria", "a long password", "admin")
        create_user(s, "jose", "a long password", "editor")

    def log_in(context, name, base):
        return _log_in(context.new_page(), base, name)

    with served(create_app(settings, store), free_port()) as live_site:
        maria = log_in(browser.new_context(), "maria", live_site)
        jose = log_in(browser.new_context(), "jose", live_site)
        maria.goto(f"{live_site}/editor/items/{item_id}")
        assert "You are reviewing this item" in maria.content()
        jose.reload()
        assert "being reviewed by maria" in jose.locator(f"#item-{item_id}").inner_text()
        jose.goto(f"{live_site}/editor/items/{item_id}")
        assert "Being reviewed by maria" in jose.locator(".lock").inner_text()
        assert jose.locator("button.approve").count() == 0
        jose.click("button:has-text('Take over from maria')")
        jose.wait_for_load_state()
        assert "took over the review from maria" in jose.content()
        jose.click("button.approve")
        jose.wait_for_load_state()
        maria.goto(f"{live_site}/editor/log")
        assert "lock taken over" in maria.content()
        context = browser.new_context(bypass_csp=True)
        for width in (1280, 390):
            page = log_in(context, "maria", live_site) if width == 1280 else context.new_page()
            page.set_viewport_size({"width": width, "height": 900})
            for path in (f"/editor/items/{item_id}", "/editor/admin/users", "/editor/log",
                         "/editor/admin/reasons", "/editor/admin/rules"):
                page.goto(f"{live_site}{path}")
                assert page.evaluate("document.documentElement.scrollWidth") <= width, path
                name = path.strip("/").replace("/", "-")
                page.screenshot(path=str(settings.data_dir / f"{name}-{width}.png"),
                                full_page=True)
                violations = Axe().run(page).response["violations"]
                assert violations == [], (path, [(v["id"], v["nodes"][0]["html"])
                                                 for v in violations])
    with store.read() as s:
        [decision] = s.scalars(select(Decision)).all()
        assert decision.editor.username == "jose"


def test_the_post_editing_textarea_is_the_widest_column(settings, store, browser):
    """A volunteer's textarea fills its column, which is at least as wide as the original's
    (it was the narrowest), and the page fits 390 px."""
    from rabkor.core.store.models import Translation

    with store.transaction() as s:
        item = Item(url="https://example.org/items/1", language="es", status=ItemStatus.APPROVED,
                    title="Huelga general en el puerto de Valparaíso",
                    summary="<p>Los estibadores paran otra vez. Piden salarios justos.</p>")
        item.translations += [
            Translation(field="title", language="en", source_language="es", engine="apertium",
                        text="General strike in the port of Valparaíso"),
            Translation(field="summary", language="en", source_language="es",
                        engine="apertium", text="The dockers stop again. They ask for fair "
                                                "wages.")]
        s.add(item)
        s.flush()
        item_id = item.id
        create_user(s, "tina", "a long password", "translator")
    with served(create_app(settings, store), free_port()) as live_site:
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            _log_in(page, live_site, "tina")
            page.goto(f"{live_site}/editor/translations/{item_id}/en")
            if page.locator("button:has-text('Claim')").count():
                page.click("button:has-text('Claim')")
                page.wait_for_load_state()
                page.goto(f"{live_site}/editor/translations/{item_id}/en")
            source = page.locator("tr.segment td").first.bounding_box()
            area = page.locator("tr.segment textarea").first.bounding_box()
            assert area["width"] >= source["width"] - 2, (width, area, source)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(settings.data_dir / f"postedit-{width}.png"),
                            full_page=True)
            page.close()


def test_sources_added_classified_and_commented_on_from_the_web(settings, store, browser,
                                                                 feed_server):
    """An administrator adds a source by its address, files it under a new category,
    writes its self-description and the editorial comment; the directory shows it, and
    the directory, source and categories pages pass axe-core at 1280 and 390 px."""
    from axe_playwright_python.sync_playwright import Axe

    with store.transaction() as s:
        create_user(s, "maria", "a long password", "admin")
    with served(create_app(settings, store), free_port()) as live_site:
        context = browser.new_context(bypass_csp=True)
        page = _log_in(context.new_page(), live_site, "maria")
        page.click("nav a:has-text('Sources')")
        page.click("a:has-text('Categories')")
        page.fill("input[name=name]", "Dock workers' unions")
        page.click("button:has-text('Add')")
        page.goto(f"{live_site}/editor/sources")
        page.fill("input[name=url]", feed_server.url("es/lanacion.xml"))
        page.select_option("form[action$='/sources'] select[name=category]",
                           "Dock workers' unions")
        page.click("button:has-text('Add')")
        page.wait_for_load_state()
        assert "never fetched" in page.locator(".health").inner_text()
        page.fill("input[name=title]", "La Nación")
        page.fill("textarea[name=description]", "El diario de los argentinos.")
        page.fill("textarea[name=editorial_comment]", "Read it for the port's news.")
        page.click(".source-form button:has-text('Save')")
        page.wait_for_load_state()
        assert "Saved." in page.locator(".flash").inner_text()
        page.goto(f"{live_site}/editor/sources?q=argentinos")
        row = page.locator("table tbody tr")
        assert row.count() == 1 and "Dock workers' unions" in row.inner_text()
        source_path = row.locator("a").get_attribute("href")
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for path in ("/editor/sources", source_path, "/editor/admin/categories"):
                page.goto(f"{live_site}{path}")
                assert page.evaluate("document.documentElement.scrollWidth") <= width, path
                name = path.strip("/").replace("/", "-")
                page.screenshot(path=str(settings.data_dir / f"{name}-{width}.png"),
                                full_page=True)
                violations = Axe().run(page).response["violations"]
                assert violations == [], (path, [(v["id"], v["nodes"][0]["html"])
                                                 for v in violations])
    with store.read() as s:
        source = s.scalar(select(Source))
        assert (source.title, source.category, source.editorial_comment) == (
            "La Nación", "Dock workers' unions", "Read it for the port's news.")


def test_the_review_page_marks_the_volunteers_changes_at_two_widths_with_axe(
        settings, store, browser):
    """A volunteer corrects the machine's title and submits; the editor's review page shows
    original, machine and volunteer text in labelled columns with the changes marked, fits
    1280 and 390 px, and passes axe-core."""
    from axe_playwright_python.sync_playwright import Axe

    from rabkor.core.store.models import Translation

    with store.transaction() as s:
        item = Item(url="https://example.org/items/1", language="es", status=ItemStatus.APPROVED,
                    title="Huelga general en el puerto de Valparaíso")
        item.translations.append(Translation(
            field="title", language="en", source_language="es", engine="apertium",
            text="General strike in the port of Valparaíso"))
        s.add(item)
        s.flush()
        item_id = item.id
        create_user(s, "tina", "a long password", "translator")
        create_user(s, "edith", "a long password", "editor")

    def log_in(name):
        return _log_in(browser.new_context(bypass_csp=True).new_page(), live_site, name)

    with served(create_app(settings, store), free_port()) as live_site:
        tina = log_in("tina")
        tina.goto(f"{live_site}/editor/translations/{item_id}/en")
        tina.click("button:has-text('Claim')")
        tina.wait_for_load_state()
        tina.goto(f"{live_site}/editor/translations/{item_id}/en")
        tina.fill("textarea[name=seg-title-0]", "General strike at the port of Valparaíso")
        tina.click("button:has-text('Submit for review')")
        tina.wait_for_load_state()
        edith = log_in("edith")
        edith.goto(f"{live_site}/editor/translations/reviews")
        edith.click("a[href*='/translations/revisions/']")
        edith.wait_for_load_state()
        assert edith.locator("table.compare th").all_inner_texts() == [
            "Original (Spanish)", "Machine translation", "Volunteer’s translation, by tina"]
        assert edith.locator("td del").all_inner_texts() == ["in"]
        assert edith.locator("td ins").all_inner_texts() == ["at"]
        for width in (1280, 390):
            edith.set_viewport_size({"width": width, "height": 900})
            assert edith.evaluate("document.documentElement.scrollWidth") <= width
            edith.screenshot(path=str(settings.data_dir / f"review-{width}.png"), full_page=True)
            violations = Axe().run(edith).response["violations"]
            assert violations == [], [(v["id"], v["nodes"][0]["html"]) for v in violations]


@pytest.mark.parametrize("lang", ["en", "es", "ar"])
def test_every_reader_page_type_at_two_widths_with_axe(settings, store, browser, lang):
    """Every kind of page a reader meets — home, latest, a media kind, an original
    language, topics and a topic, the directory (both groupings) and a source, the archive
    and a month, an article, an audio item and a story's coverage, a search, the
    submission form, the moderation log and a missing page — in English, Spanish and
    Arabic at 1280 and 390 px: the UI in the page's language, nothing off-screen, a skip
    link first, and no accessibility violation that axe-core finds. The screenshots are
    kept in test-artifacts/screenshots (RABKOR_ARTIFACTS) to be looked at."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    from rabkor.core.store.models import Topic, Translation
    from rabkor.search.indexer import update_index

    with store.transaction() as s:
        radio = Source(feed_url="https://example.org/feed", title="Dock Workers' Radio",
                       category="Syndicalist", language="en", site_url="https://example.org/",
                       description="The voice of the port's rank and file, since 1998.",
                       editorial_comment="Read it for the strikes.")
        tenants = Source(feed_url="https://example.net/feed", title="Inquilinas en lucha",
                         category="Housing movement", language="es")
        strikes = Topic(slug="strikes", names={"en": "Strikes", "es": "Huelgas",
                                               "ar": "الإضرابات"})
        s.add_all([tenants, strikes])
        items = []
        for n in range(30):
            item = Item(source=radio, url=f"https://example.org/{n}", language="en",
                        title=f"Dockers strike in port number {n}", status=ItemStatus.APPROVED,
                        media_kind=MediaKind.AUDIO if n % 3 == 0 else MediaKind.ARTICLE,
                        summary="<p>A long night at the gates: the harbour stays closed.</p>",
                        content="<p>The dockers met at dawn.</p><p>They voted to stay out.</p>",
                        enclosure_url="https://example.org/ep.mp3" if n % 3 == 0 else None,
                        enclosure_type="audio/mpeg" if n % 3 == 0 else None,
                        featured_order=1 if n == 4 else None)
            item.translations += [
                Translation(field="title", language="ar", source_language="en",
                            engine="apertium", text=f"إضراب عمال الميناء رقم {n}"),
                Translation(field="title", language="es", source_language="en",
                            engine="apertium", text=f"Huelga de estibadores en el puerto {n}")]
            s.add(item)
            items.append(item)
        s.flush()
        copy = Item(source=tenants, url="https://example.net/1", language="es",
                    title="Los estibadores paran el puerto", status=ItemStatus.APPROVED,
                    duplicate_of_id=items[1].id)
        s.add(copy)
        s.flush()
        s.add_all([ItemTopic(item_id=i.id, topic_id=strikes.id) for i in items[:5]])
        radio_id, article, audio = radio.id, items[1].id, items[0].id
        month = items[0].sort_at.strftime("%Y/%m").replace("/0", "/")
    settings = settings.with_(languages=("en", "es", "ar"), public_moderation_log=True)
    update_index(settings, store)
    q = {"en": "dockers", "es": "estibadores", "ar": "الميناء"}[lang]
    paths = [f"/{lang}/", f"/{lang}/latest", f"/{lang}/kinds/audio", f"/{lang}/originally/en",
             f"/{lang}/topics", f"/{lang}/topics/strikes", f"/{lang}/sources",
             f"/{lang}/sources?by=language", f"/{lang}/sources/{radio_id}", f"/{lang}/archive",
             f"/{lang}/archive/{month}", f"/{lang}/items/{article}", f"/{lang}/items/{audio}",
             f"/{lang}/items/{article}/story", f"/{lang}/search?q={q}", f"/{lang}/submit",
             f"/{lang}/moderation", f"/{lang}/no-such-page"]
    ui = {"en": "Latest", "es": "Lo último", "ar": "الأحدث"}[lang]
    with served(create_app(settings, store), free_port()) as live_site:
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
            for path in paths:
                answer = page.goto(f"{live_site}{path}")
                assert answer.status == (404 if "no-such" in path else 200), path
                assert page.locator("nav.sections").inner_text().startswith(ui), path
                assert page.locator("html").get_attribute("dir") == (
                    "rtl" if lang == "ar" else "ltr")
                page.keyboard.press("Tab")  # the skip link first, visible when focused
                skip = page.locator("a.skip")
                expect(skip).to_be_focused()
                box = skip.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
                assert page.evaluate("document.documentElement.scrollWidth") <= width, path
                if path.endswith(f"/items/{audio}"):  # the player is there and usable
                    player = page.locator("audio")
                    assert player.bounding_box()["height"] >= 30
                    player.focus()
                    expect(player).to_be_focused()
                name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
                _shot(page, f"site-{name}-{width}")
                violations = Axe().run(page).response["violations"]
                assert violations == [], (path, [(v["id"], v["nodes"][0]["html"])
                                                 for v in violations])
            page.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_correspondent_joins_by_invitation_and_takes_a_task_with_axe(settings, store,
                                                                       browser, lang):
    """An invitation link opened in a new browser: the join form with its consents, the
    profile, the public page those consents allow, the assignments and a claimed task —
    in English and Arabic at 1280 and 390 px, nothing off-screen, no axe violation."""
    from playwright.sync_api import expect

    from rabkor.core.store.models import User
    from rabkor.editor import assignments, correspondents

    with store.transaction() as s:
        editor = create_user(s, "edith", "a long password", "editor")
        unions = [Source(feed_url=f"https://union{n}.example/feed", title=f"Union {n}")
                  for n in range(2)]
        s.add_all(unions)
        s.flush()
        assignments.create(s, editor, title="Watch the unions", kind="watch",
                           description="Bring in every strike call.",
                           lines="\n".join(str(u.id) for u in unions), claim_days=3)
        tokens = [correspondents.invite(s, editor)[1] for _ in range(2)]
    # a mail server named: the profile offers the notices' address (nothing is sent here)
    settings = settings.with_(languages=("en", "es", "ar"), smtp_host="127.0.0.1",
                              smtp_from="desk@rabkor.example")
    with served(create_app(settings, store), free_port()) as live_site:
        for width, token in zip((1280, 390), tokens, strict=True):
            context = browser.new_context(viewport={"width": width, "height": 900},
                                          bypass_csp=True, locale=lang,
                                          extra_http_headers={"Accept-Language": lang})
            page = context.new_page()
            name = f"ana{width}"

            def check(shot: str, page=page, width=width) -> None:
                _look(page, width, lang, f"correspondent-{shot}-{lang}-{width}")

            page.goto(f"{live_site}/editor/join/{token}")
            check("join")
            page.fill("input[name=username]", name)
            page.fill("input[name=display_name]", "Ana Souza")
            page.fill("input[name=password]", "a long password")
            page.fill("input[name=again]", "a long password")
            page.check("input[name=consent-credit]")
            page.check("input[name=consent-public_profile]")
            page.click("form.stacked button[type=submit]")
            page.wait_for_url(f"{live_site}/editor/profile")
            page.fill("input[name=country]", "Brasil")
            page.fill("textarea[name=bio]", "Docker in Santos.")
            page.fill("input[name=email]", f"{name}@example.org")
            page.click("form.stacked button[type=submit] >> nth=0")
            page.wait_for_load_state()
            expect(page.locator("p.flash")).to_be_visible()
            check("profile")
            with store.read() as s:
                ana = s.query(User).filter_by(username=name).one()
                assert ana.invited_by_id == editor.id and ana.public_profile
                assert (ana.email, ana.notices) == (f"{name}@example.org", True)
            page.goto(f"{live_site}/{lang}/correspondents/{ana.id}")
            assert "Docker in Santos." in page.content()
            check("public")
            page.goto(f"{live_site}/editor/assignments")
            page.click("text=Watch the unions")
            page.locator("form[action$='/claim'] button").first.click()  # one each
            page.wait_for_load_state()
            expect(page.locator("form[action$='/done']")).to_be_visible()
            check("assignment")
            page.goto(f"{live_site}/editor/invitations")
            check("invitations")
            context.close()


def _look(page, width: int, lang: str, shot: str) -> None:
    """The page fits the width, reads in the language's direction, is kept as a
    screenshot, and axe-core finds no violation on it."""
    from axe_playwright_python.sync_playwright import Axe

    assert page.evaluate("document.documentElement.scrollWidth") <= width, shot
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    _shot(page, shot)
    violations = Axe().run(page).response["violations"]
    assert violations == [], (shot, [(v["id"], v["nodes"][0]["html"]) for v in violations])


def test_the_whole_correspondent_story_from_invitation_to_credit_with_axe(
        settings, store, browser, tmp_path):
    """An editor invites; the invited correspondent joins with the link, fills the profile
    with the credit and public-page consents and an address for notices, sends a real
    article page served on loopback; the pipeline's step makes it an item, the editor
    approves it in the queue; the public item credits the correspondent and links their
    public page, "my submissions" shows it published with its link, and the notice
    arrives at the local mail server — every page looked at with axe-core."""
    import gzip
    import re

    from rabkor.core.store.models import User
    from rabkor.crawler.submissions.process import process_submissions
    from rabkor.editor.notices import send_notices
    from tests.feedserver import FeedServer
    from tests.mailserver import mail_server

    article = Path(__file__).parent / "data" / "pages" / "articles" / "bbc-1.html.gz"
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "guns.html").write_bytes(gzip.decompress(article.read_bytes()))
    pages = FeedServer(tmp_path / "pages")
    with store.transaction() as s:
        create_user(s, "edith", "a long password", "editor")
    port = free_port()
    with mail_server() as inbox:
        settings = settings.with_(
            allowed_loopback=(pages.hostport,), new_account_days=0, stats_enabled=False,
            public_url=f"http://127.0.0.1:{port}", smtp_host=inbox.host,
            smtp_port=inbox.port, smtp_starttls=False, smtp_from="desk@rabkor.example")
        link = pages.url("guns.html")
        try:
            with served(create_app(settings, store), port) as live:
                desk = browser.new_page(viewport={"width": 1280, "height": 900},
                                        bypass_csp=True)
                _log_in(desk, live, "edith")
                desk.goto(f"{live}/editor/invitations")
                desk.click("button:has-text('Make an invitation link')")
                desk.wait_for_load_state()
                invitation = desk.locator("input.one-time").input_value()
                _look(desk, 1280, "en", "story-invitation")

                ana = browser.new_context(viewport={"width": 1280, "height": 900},
                                          bypass_csp=True).new_page()
                ana.goto(invitation)
                ana.fill("input[name=username]", "ana")
                ana.fill("input[name=display_name]", "Ana Souza")
                ana.fill("input[name=password]", "a long password")
                ana.fill("input[name=again]", "a long password")
                ana.check("input[name=consent-credit]")
                ana.check("input[name=consent-public_profile]")
                ana.click("form.stacked button[type=submit]")
                ana.wait_for_url(f"{live}/editor/profile")
                ana.fill("input[name=country]", "Brasil")
                ana.fill("textarea[name=bio]", "Docker in Santos.")
                ana.fill("input[name=email]", "ana@example.org")
                assert ana.is_checked("input[name=notices]")  # on with the address
                ana.click("form.stacked button[type=submit] >> nth=0")
                ana.wait_for_load_state()
                assert ana.locator("p.flash").is_visible()
                _look(ana, 1280, "en", "story-profile")

                ana.goto(f"{live}/editor/submissions")
                ana.click("a[href='/en/submit']")
                ana.fill("input[name=url]", link)
                ana.fill("textarea[name=note]", "The president on guns")
                ana.click("form.submit button")
                ana.wait_for_load_state()
                assert "Follow it on your submissions page" in ana.content()
                _look(ana, 1280, "en", "story-sent")

                assert process_submissions(settings, store).items == 1  # the pipeline's step
                ana.goto(f"{live}/editor/submissions")
                assert "in the editors’ queue" in ana.content()
                _look(ana, 1280, "en", "story-waiting")

                desk.goto(f"{live}/editor/")
                story = desk.locator("article.item", has_text="Submitted by Ana Souza")
                assert "The president on guns" in story.inner_text()
                item_id = int(story.get_attribute("id").removeprefix("item-"))
                _look(desk, 1280, "en", "story-queue")
                story.locator("button:has-text('Approve')").click()
                desk.wait_for_load_state()
                assert desk.locator(f"#item-{item_id}").count() == 0  # decided

                with store.read() as s:
                    ana_id = s.query(User).filter_by(username="ana").one().id
                ana.goto(f"{live}/en/items/{item_id}")
                credit = ana.locator("p.credit a")
                assert credit.inner_text() == "Ana Souza"
                assert credit.get_attribute("href") == f"/en/correspondents/{ana_id}"
                _look(ana, 1280, "en", "story-item")
                credit.click()
                ana.wait_for_load_state()
                assert "Docker in Santos." in ana.content()
                _look(ana, 1280, "en", "story-public")

                ana.goto(f"{live}/editor/submissions")
                entry = ana.locator(".submission", has_text=link)
                assert entry.locator("p.state strong").inner_text() == "published"
                assert entry.locator(f"a[href='/en/items/{item_id}']").count() == 1
                _look(ana, 1280, "en", "story-published")

                assert send_notices(settings, store).sent == 1  # the pipeline's step
                assert inbox.wait()
                [mail] = inbox.received
                assert mail.recipients == ["ana@example.org"]
                assert mail.message["Subject"].startswith("Rabkor: your link is published")
                assert re.search(rf"published it: {re.escape(live)}/en/items/{item_id}\b",
                                 mail.message.get_content())
                ana.reload()
                entry.locator("summary").click()  # the history, with what was e-mailed
                assert entry.locator(".history .notice").inner_text() == "e-mailed to you"
                _look(ana, 1280, "en", "story-told")
        finally:
            pages.close()
