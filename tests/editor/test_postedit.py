"""Volunteer post-editing through the editor application: claim, edit sentence by sentence,
submit, return with a note, resubmit, accept — and what readers and the index see after."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from starlette.testclient import TestClient

from rabkor.core.store.models import (
    Item,
    ItemStatus,
    RevisionStatus,
    TranslationClaim,
    TranslationMemoryEntry,
    TranslationRevision,
    utcnow,
)
from rabkor.editor.app import create_app
from rabkor.search.indexer import update_index
from rabkor.search.service import search
from rabkor.site.app import create_app as create_site
from tests.editor.helpers import add_item, csrf_of

SUMMARY = "<p>Los sindicatos convocan la huelga. Empieza el lunes.</p>"
MACHINE_SUMMARY = "The unions call the strike. It starts on Monday."


@pytest.fixture
def other(settings, store) -> Iterator[TestClient]:
    """A second browser: another person at another desk."""
    with TestClient(create_app(settings, store)) as client:
        yield client


@pytest.fixture
def item_id(store) -> int:
    return add_item(store, "Huelga de estibadores", language="es", summary=SUMMARY,
                    status=ItemStatus.APPROVED,
                    translations={("title", "en"): "Strike of stevedores",
                                  ("summary", "en"): MACHINE_SUMMARY})


def post(client: TestClient, url: str, page: str, **data: str):
    """Submit a form the way a browser would: with the CSRF token of the page it is on."""
    token = csrf_of(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def claim(client: TestClient, item_id: int, lang: str = "en"):
    return post(client, f"/translations/{item_id}/{lang}/claim", "/translations")


def revisions(store, item_id: int) -> list[TranslationRevision]:
    with store.read() as s:
        return list(s.scalars(select(TranslationRevision).where(
            TranslationRevision.item_id == item_id).order_by(TranslationRevision.id)))


def segments_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<textarea name="(seg-[a-z]+-\d+)"[^>]*>([^<]*)</textarea>', html))


def test_the_whole_flow_from_claim_to_the_site(client, other, store, settings, login_as,
                                               item_id):
    translator = login_as(client, "translator")
    editor = login_as(other, "editor")

    listing = client.get("/translations", params={"lang": "en"}).text
    assert f'id="work-{item_id}"' in listing and "Strike of stevedores" in listing
    assert claim(client, item_id).status_code == 303

    # Sentence by sentence: each source sentence beside its machine sentence, prefilled.
    page = client.get(f"/translations/{item_id}/en").text
    assert segments_of(page) == {"seg-title-0": "Strike of stevedores",
                                 "seg-summary-0": "The unions call the strike.",
                                 "seg-summary-1": "It starts on Monday."}
    assert "Los sindicatos convocan la huelga." in page and "Empieza el lunes." in page

    edit = f"/translations/{item_id}/en"
    saved = post(client, edit, edit, action="draft", **{
        "seg-title-0": "Dockers' strike", "seg-summary-0": "The unions call a strike.",
        "seg-summary-1": "It starts on Monday."})
    assert saved.status_code == 303
    assert segments_of(client.get(edit).text)["seg-title-0"] == "Dockers&#39; strike"
    submitted = post(client, edit, edit, action="submit", **{
        "seg-title-0": "Dockers' strike", "seg-summary-0": "The unions call a strike.",
        "seg-summary-1": "It starts on Monday."})
    assert submitted.status_code == 303
    first = revisions(store, item_id)[-1]
    assert first.status is RevisionStatus.SUBMITTED
    assert first.summary == "The unions call a strike. It starts on Monday."

    # The editor sees source, machine output and the volunteer's text side by side.
    assert f'/translations/revisions/{first.id}"' in other.get("/translations/reviews").text
    review = other.get(f"/translations/revisions/{first.id}").text
    assert "Huelga de estibadores" in review
    # in labelled columns, the volunteer's changes marked word by word
    assert "<th scope=\"col\">Machine translation</th>" in review
    assert "<del>Strike of stevedores</del>" in review
    assert "<ins>Dockers&#39; strike</ins>" in review
    assert "The unions call <del>the</del> strike." in review
    assert "The unions call <ins>a</ins> strike." in review
    assert "It starts on Monday." in review and "<ins>It" not in review  # unchanged
    returned = post(other, f"/translations/revisions/{first.id}/return",
                    f"/translations/revisions/{first.id}", note="Say 'dockworkers'.")
    assert returned.status_code == 303

    # The translator finds it returned, with the note, and still holds the item.
    assert "Say &#39;dockworkers&#39;." in client.get("/translations").text
    page = client.get(edit).text
    assert "Say &#39;dockworkers&#39;." in page and "Submit for review" in page
    resubmitted = post(client, edit, edit, action="submit", **{
        "seg-title-0": "Dockworkers' strike", "seg-summary-0": "The unions call a strike.",
        "seg-summary-1": "It starts on Monday."})
    assert resubmitted.status_code == 303
    second = revisions(store, item_id)[-1]
    update_index(settings, store)
    accepted = post(other, f"/translations/revisions/{second.id}/accept",
                    f"/translations/revisions/{second.id}")
    assert accepted.status_code == 303

    with store.read() as s:
        item = s.get(Item, item_id)
        title = item.translation("title", "en")
        assert (title.text, title.is_human, title.author_id, title.reviewed_by_id) == (
            "Dockworkers' strike", True, translator.id, editor.id)
        assert item.translation("summary", "en").text == second.summary
        memory = s.scalar(select(TranslationMemoryEntry.target_text).where(
            TranslationMemoryEntry.source_text == "Los sindicatos convocan la huelga.",
            TranslationMemoryEntry.model_version == "human"))
        assert memory == "The unions call a strike."
        assert s.scalar(select(func.count()).select_from(TranslationClaim)) == 0

    with TestClient(create_site(settings, store)) as site:
        shown = site.get(f"/en/items/{item_id}").text
    assert "Dockworkers&#39; strike" in shown and "Strike of stevedores" not in shown
    assert "Translated by volunteers · reviewed" in shown
    assert "Machine-translated" not in shown
    # indexed as the acceptance was answered: searchable at once, no run of the indexer
    hits = search(settings, "dockworkers", lang="en").hits
    assert [(hit.item_id, hit.matched) for hit in hits] == [(item_id, "human")]

    # Every change is kept with its author and time, and the history shows it.
    assert [r.status for r in revisions(store, item_id)] == [
        RevisionStatus.DRAFT, RevisionStatus.RETURNED, RevisionStatus.ACCEPTED]
    history = client.get(f"/translations/{item_id}/en/history").text
    rows = re.findall(r'<tr id="rev-\d+">(.*?)</tr>', history, re.S)
    assert len(rows) == 3 and all(f"<td>{translator.username}</td>" in row for row in rows)
    assert [editor.username in row for row in rows] == [True, True, False]
    assert "Say &#39;dockworkers&#39;." in history
    # Done: the item leaves the list of work for English.
    assert f'id="work-{item_id}"' not in client.get("/translations?lang=en").text


def test_two_translators_racing_one_wins_the_other_is_told_who(client, other, store,
                                                              login_as, item_id):
    first = login_as(client, "translator")
    login_as(other, "translator")
    assert claim(client, item_id).status_code == 303
    lost = claim(other, item_id)
    assert lost.status_code == 409
    assert f"already claimed by {first.username}" in lost.text
    assert f"Claimed by {first.username}" in other.get(f"/translations/{item_id}/en").text
    # The loser's sentences are not lost: saving shows them again with the reason.
    edit = f"/translations/{item_id}/en"
    refused = post(other, edit, "/translations", action="draft", **{"seg-title-0": "Mine"})
    assert refused.status_code == 409 and ">Mine</textarea>" in refused.text
    assert revisions(store, item_id) == []


def test_a_claim_expires_and_can_be_released(client, other, store, login_as, item_id):
    login_as(client, "translator")
    login_as(other, "translator")
    claim(client, item_id)
    with store.transaction() as s:
        s.execute(update(TranslationClaim).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert claim(other, item_id).status_code == 303  # the expired claim no longer counts
    released = post(other, f"/translations/{item_id}/en/release", "/translations")
    assert released.status_code == 303
    assert claim(client, item_id).status_code == 303
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(TranslationClaim)) == 1


def test_submitting_needs_every_field_and_keeps_the_typed_text(client, store, login_as,
                                                              item_id):
    login_as(client, "translator")
    claim(client, item_id)
    edit = f"/translations/{item_id}/en"
    response = post(client, edit, edit, action="submit", **{
        "seg-title-0": "Dockers' strike", "seg-summary-0": "", "seg-summary-1": ""})
    assert response.status_code == 400
    assert "summary is not translated yet" in response.text
    assert "Dockers&#39; strike</textarea>" in response.text
    assert revisions(store, item_id) == []


@pytest.mark.parametrize("role", ["correspondent"])
def test_other_roles_cannot_see_translation_pages(client, login_as, item_id, role):
    login_as(client, role)
    for url in ("/translations", f"/translations/{item_id}/en", "/translations/reviews"):
        assert client.get(url).status_code == 403
    assert claim(client, item_id).status_code == 403


def test_translators_cannot_review_and_nobody_reviews_their_own(client, other, store,
                                                               login_as, item_id):
    login_as(client, "editor")  # editors may translate too
    login_as(other, "translator")
    claim(client, item_id)
    edit = f"/translations/{item_id}/en"
    post(client, edit, edit, action="submit", **{
        "seg-title-0": "A", "seg-summary-0": "B.", "seg-summary-1": "C."})
    revision = revisions(store, item_id)[-1]
    page = f"/translations/revisions/{revision.id}"
    assert "Accept" not in client.get(page).text  # the author sees no review buttons
    own = post(client, f"{page}/accept", page)
    assert own.status_code == 403 and "their own translation" in own.text
    assert post(other, f"{page}/accept", page).status_code == 403
    assert other.get("/translations/reviews").status_code == 403
    assert revisions(store, item_id)[-1].status is RevisionStatus.SUBMITTED


def test_every_form_needs_its_csrf_token(client, other, store, login_as, item_id):
    login_as(client, "translator")
    login_as(other, "editor")
    bad = {"csrf_token": "forged"}
    assert client.post(f"/translations/{item_id}/en/claim", data=bad).status_code == 403
    claim(client, item_id)
    for url in (f"/translations/{item_id}/en", f"/translations/{item_id}/en/release"):
        assert client.post(url, data={**bad, "action": "submit"}).status_code == 403
    edit = f"/translations/{item_id}/en"
    post(client, edit, edit, action="submit", **{
        "seg-title-0": "A", "seg-summary-0": "B.", "seg-summary-1": "C."})
    revision = revisions(store, item_id)[-1]
    for action in ("accept", "return"):
        url = f"/translations/revisions/{revision.id}/{action}"
        assert other.post(url, data={**bad, "note": "x"}).status_code == 403
    assert [r.status for r in revisions(store, item_id)] == [RevisionStatus.SUBMITTED]


def test_returning_needs_a_note(client, other, store, login_as, item_id):
    login_as(client, "translator")
    login_as(other, "editor")
    claim(client, item_id)
    edit = f"/translations/{item_id}/en"
    post(client, edit, edit, action="submit", **{
        "seg-title-0": "A", "seg-summary-0": "B.", "seg-summary-1": "C."})
    page = f"/translations/revisions/{revisions(store, item_id)[-1].id}"
    response = post(other, f"{page}/return", page, note="  ")
    assert response.status_code == 400 and "needs a note" in response.text


def test_the_list_puts_approved_items_first_and_leaves_out_what_needs_no_work(client, store,
                                                                            login_as):
    login_as(client, "translator")
    pending = add_item(store, "Pendiente", language="es")
    approved = add_item(store, "Aprobado", language="es", status=ItemStatus.APPROVED)
    add_item(store, "Rechazado", language="es", status=ItemStatus.REJECTED)
    add_item(store, "Already English", language="en")
    add_item(store, "Hecho", language="es", human=True, translations={("title", "en"): "Done"})
    listing = client.get("/translations", params={"lang": "en"}).text
    assert re.findall(r'id="work-(\d+)"', listing) == [str(approved), str(pending)]
    german = client.get("/translations", params={"lang": "de"}).text
    assert len(re.findall(r'id="work-(\d+)"', german)) == 5 - 1  # all but the rejected one
