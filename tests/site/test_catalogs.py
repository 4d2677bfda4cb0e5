"""The site's catalogs: every UI string extracted from the code and templates is in the
template catalog (`make messages` keeps it so), and every default site language has each
one translated — every plural form, the same placeholders, and not the English left in
(but for words the language writes the same way); an Arabic page shows no English UI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from rabkor.core.settings import DEFAULT_LANGUAGES

ROOT = Path(__file__).parents[2]
LOCALES = ROOT / "site" / "locales"
PLACEHOLDER = re.compile(r"\{\w+\}")
# words a language writes as English does
SAME = {
    "es": {"Audio", "Original"},
    "fr": {"Article", "Articles", "Audio", "Original", "Pages", "Source", "Sources"},
    "de": {"Audio", "Link", "Original", "Video"},
    "pt": {"Link", "Original"},
}


def _extracted() -> set:
    method_map = [("site/**.py", "python"), ("site/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords={"_": None, "N_": None, "ngettext": (1, 2)}):
        found.add(message)
    return found


def test_the_template_catalog_holds_every_string_the_site_shows():
    with (LOCALES / "messages.pot").open("rb") as pot:
        known = {m.id for m in read_po(pot) if m.id}
    extracted = _extracted()
    assert extracted - known == set(), "new UI strings: run `make messages` and translate"
    assert known - extracted == set(), "strings no longer used: run `make messages`"


@pytest.mark.parametrize("lang", [code for code in DEFAULT_LANGUAGES if code != "en"])
def test_each_language_translates_every_string(lang):
    with (LOCALES / "messages.pot").open("rb") as pot:
        wanted = [m.id for m in read_po(pot) if m.id]
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    problems = []
    for msgid in wanted:
        message = catalog.get(msgid)
        english = msgid if isinstance(msgid, str) else msgid[1]
        forms = [] if message is None else (
            list(message.string) if isinstance(message.string, tuple) else [message.string])
        if not forms or not all(forms) or message.fuzzy:
            problems.append(f"not translated: {english!r}")
            continue
        if len(forms) != (catalog.num_plurals if isinstance(msgid, tuple) else 1):
            problems.append(f"wrong number of plural forms: {english!r}")
        allowed = set(PLACEHOLDER.findall(english))
        for form in forms:
            if not set(PLACEHOLDER.findall(form)) <= allowed:
                problems.append(f"unknown placeholder in {form!r}")
        if isinstance(msgid, str) and forms[0] == msgid and msgid not in SAME.get(lang, ()):
            problems.append(f"left in English: {msgid!r}")
        if isinstance(msgid, str) and set(PLACEHOLDER.findall(forms[0])) != allowed:
            problems.append(f"placeholders differ: {forms[0]!r}")
    assert problems == []


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
