"""The editor's readership page in the combined app: who may see it, its figures as the
command line gives them, its charts as SVG images, its answers to a bad month; and, in
Chromium, its charts drawn under the editor's Content-Security-Policy, with axe-core."""

from __future__ import annotations

import pytest

from rabkor.app.server import create_app
from rabkor.core.accounts import create_user
from rabkor.stats.importer import import_logs
from rabkor.stats.report import report
from tests.editor.helpers import PASSWORD, csrf_of
from tests.net import free_port, served
from tests.stats.conftest import REAL_LOG
from tests.test_browser import CHROMIUM, _log_in, _shot, browser  # noqa: F401


def _log_in_as(client, store, role: str) -> None:
    with store.transaction() as s:
        create_user(s, role, PASSWORD, role)
    token = csrf_of(client.get("/editor/login").text)
    client.post("/editor/login", data={"username": role, "password": PASSWORD,
                                       "csrf_token": token})


def test_editors_read_the_report_and_its_charts(app_client, store, settings):
    import_logs(store, settings, [REAL_LOG])
    _log_in_as(app_client, store, "editor")
    page = app_client.get("/editor/admin/readership")
    assert page.status_code == 200
    assert 'href="/editor/admin/readership"' in page.text  # in the menu
    with store.read() as s:  # the same figures as `rabkor stats report` gives
        found = report(s, "2015-05")
    assert f"{found['readers']:,} distinct readers in 2015-05" in page.text
    assert f"{found['excluded']['robot_hits']:,} robot hits" in page.text
    for day in found["days"][16:20]:
        assert f"<td>{day['day']}</td>" in page.text
    for name in ("readers", "pages", "megabytes", "departments"):
        assert f'/editor/admin/readership/{name}.svg?month=2015-05"' in page.text
        chart = app_client.get(f"/editor/admin/readership/{name}.svg?month=2015-05")
        assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
        assert b"<svg" in chart.content


def test_a_bad_month_or_chart_and_the_wrong_role(app_client, store, settings):
    import_logs(store, settings, [REAL_LOG])
    _log_in_as(app_client, store, "editor")
    assert app_client.get("/editor/admin/readership?month=May").status_code == 400
    assert app_client.get("/editor/admin/readership?month=2014-01").status_code == 404
    assert app_client.get("/editor/admin/readership/pie.svg").status_code == 404
    spanish = app_client.get("/editor/admin/readership?month=2015-05",
                             headers={"Accept-Language": "es"})
    assert "lectores distintos en 2015-05" in spanish.text
    app_client.cookies.clear()
    _log_in_as(app_client, store, "translator")
    refused = app_client.get("/editor/admin/readership")
    assert refused.status_code == 403 and "editors and administrators" in refused.text


def test_no_statistics_yet_says_how_to_get_them(app_client, store):
    _log_in_as(app_client, store, "admin")
    page = app_client.get("/editor/admin/readership")
    assert page.status_code == 200 and "rabkor stats import" in page.text


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
@pytest.mark.parametrize("width", [1280, 390])
def test_the_readership_page_in_chromium_with_axe(settings, store, browser, width):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    import_logs(store, settings, [REAL_LOG])
    with store.transaction() as s:
        create_user(s, "edith", "a long password", "editor")
    with served(create_app(settings.with_(trusted_hosts=()), store), free_port()) as site:
        page = browser.new_page(viewport={"width": width, "height": 900})
        refused = []
        page.on("console", lambda m: refused.append(m.text)
                if "Content Security Policy" in m.text else None)
        _log_in(page, site, "edith")
        page.goto(f"{site}/editor/admin/readership?month=2015-05")
        page.wait_for_load_state("networkidle")
        drawn = page.eval_on_selector_all(
            "figure.chart img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
        assert drawn == [True] * 4
        assert refused == []
        violations = Axe().run(page).response["violations"]
        assert violations == [], [(v["id"], v["nodes"][0]["html"]) for v in violations]
        _shot(page, f"readership-{width}")
