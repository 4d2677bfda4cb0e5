"""The desk's catalogs: every UI string extracted from the editor's code and templates is in
its template catalog (`make messages` keeps it so), and every default site language has
each one translated — every plural form, the same placeholders, and not the English left
in (but for words the language writes the same way); an editor who chose Arabic reads the
queue right to left with no English UI, and a browser asking for Spanish gets the Spanish
login page."""

from __future__ import annotations

import re

import pytest

from rabkor.core.settings import DEFAULT_LANGUAGES
from tests import catalogs
from tests.editor.helpers import add_item, csrf_of

# what a language writes as English does: separators, key names, loanwords, cognates
SHARED = {", ", "Esc", "Original", "Original ({language})"}
SAME = {
    "es": SHARED | {"Editor", "editor", "original", "audio", "feed", "{minutes} min"},
    "fr": SHARED | {"(machine)", "Action", "Actions", "Code", "Date", "Machine", "Note", "note",
                    "Invitations", "Pages", "Place", "Source", "Sources", "source {number}",
                    "← Sources", "article", "audio", "original", "{minutes} min"},
    "de": SHARED | {"Feed", "Link", "Name"},
    "pt": SHARED | {"A (shift-a)", "R (shift-r)", "Editor", "editor", "Enter", "Feed", "Item",
                    "Item {number}", "item {number}", "Link", "feed", "original", "{minutes} min"},
    "ru": SHARED | {"Enter"},
    "zh": SHARED | {"Enter"},
    "ar": SHARED | {"Enter"},
}


def test_the_template_catalog_holds_every_string_the_desk_shows():
    known = set(catalogs.template_ids("editor"))
    extracted = catalogs.extracted("editor")
    assert extracted - known == set(), "new UI strings: run `make messages` and translate"
    assert known - extracted == set(), "strings no longer used: run `make messages`"


@pytest.mark.parametrize("lang", [code for code in DEFAULT_LANGUAGES if code != "en"])
def test_each_language_translates_every_string(lang):
    assert catalogs.problems("editor", lang, SAME.get(lang, set())) == []


def test_an_editor_who_chose_arabic_reads_the_queue_in_arabic(client, store, login_as):
    add_item(store, "Dockers strike")
    login_as(client, "editor")
    token = csrf_of(client.get("/account").text)
    chosen = client.post("/account", data={"csrf_token": token, "language": "ar"})
    assert chosen.status_code == 200 and 'dir="rtl"' in chosen.text
    page = client.get("/", headers={"Accept-Language": "en"}).text
    assert '<html lang="ar" dir="rtl">' in page
    assert "الطابور" in page and "المواد المنتظرة" in page and "اعتماد" in page
    text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", page, flags=re.S)
    text = text.replace("Dockers strike", "")  # outside content stays as written
    for english in ("Queue", "Pending items", "Approve", "Reject", "Saved filters",
                    "Original language", "Submitted links", "Log out", "Keys", "article",
                    "editor", "Select", "Open", "Reason", "Words"):
        assert not re.search(rf"\b{english}\b", text), english


def test_a_browser_asking_for_spanish_gets_the_spanish_login_page(client):
    page = client.get("/login", headers={"Accept-Language": "es-AR,es;q=0.9,en;q=0.5"}).text
    assert '<html lang="es" dir="ltr">' in page
    assert "Iniciar sesión" in page and "Nombre de usuario" in page and "Contraseña" in page
    assert "Log in" not in page and "Password" not in page


def test_a_refused_page_and_a_missing_one_speak_the_browsers_language(client, login_as):
    login_as(client, "correspondent")
    refused = client.get("/admin/users", headers={"Accept-Language": "fr"})
    assert refused.status_code == 403 and "Interdit" in refused.text
    assert "correspondant" in refused.text and "administrateurs" in refused.text
    missing = client.get("/no-such-page", headers={"Accept-Language": "de"})
    assert missing.status_code == 404 and "Nicht gefunden" in missing.text
