"""The site's catalogs: every UI string extracted from the code and templates is in the
template catalog (`make messages` keeps it so), and every default site language has each
one translated — every plural form, the same placeholders, and not the English left in
(but for words the language writes the same way); an Arabic page shows no English UI."""

from __future__ import annotations

import re

import pytest

from rabkor.core.settings import DEFAULT_LANGUAGES
from tests import catalogs

# words a language writes as English does
SAME = {
    "es": {"Audio", "Original"},
    "fr": {"Article", "Articles", "Audio", "Original", "Pages", "Source", "Sources",
           "{count} contribution", "{count} source"},
    "de": {"Audio", "Link", "Original", "Video"},
    "pt": {"Link", "Original"},
}


def test_the_template_catalog_holds_every_string_the_site_shows():
    known = set(catalogs.template_ids("site"))
    extracted = catalogs.extracted("site")
    assert extracted - known == set(), "new UI strings: run `make messages` and translate"
    assert known - extracted == set(), "strings no longer used: run `make messages`"


@pytest.mark.parametrize("lang", [code for code in DEFAULT_LANGUAGES if code != "en"])
def test_each_language_translates_every_string(lang):
    assert catalogs.problems("site", lang, SAME.get(lang, set())) == []


def test_an_arabic_page_shows_no_english_ui(settings, store, add_item):
    from starlette.testclient import TestClient

    from rabkor.site.app import create_app

    add_item("Dockers strike", translations={("title", "ar"): "إضراب عمال الميناء"})
    with TestClient(create_app(settings.with_(languages=("en", "ar")), store)) as client:
        page = client.get("/ar/").text
    assert 'dir="rtl"' in page and "الأحدث" in page and "أرسل رابطًا" in page
    text = re.sub(r"<[^>]+>", " ", page)
    for english in ("Latest", "Articles", "Topics", "Sources", "Search", "Submit a link",
                    "Machine-translated", "Original", "Skip to the content"):
        assert english not in text, english
