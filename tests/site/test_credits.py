"""The site's credits: a correspondent's public page exists only with their consent to
one, lists what they brought in and translated only with their consent to be credited,
and a withdrawn consent takes the page down at once; the contributors page groups the
consenting people by the languages they write."""

from __future__ import annotations

from sqlalchemy import select

from rabkor.core.accounts import create_user
from rabkor.core.store.models import Item, Source, Submission, Translation, User


def _person(store, name: str, *, public: bool, credit: bool, writes=("pt",)) -> int:
    with store.transaction() as s:
        user = create_user(s, name, "a long password", "correspondent", f"{name.title()} S.")
        user.public_profile, user.credit_consent = public, credit
        user.country, user.writes, user.bio = "Brasil", list(writes), "Docker in Santos."
        return user.id


def _brought(store, add_item, user_id: int, title: str) -> int:
    with store.transaction() as s:
        submission = Submission(url=f"https://port.example/{title}", submitter_id=user_id)
        s.add(submission)
        s.flush()
        submission_id = submission.id
    return add_item(title, submission_id=submission_id)


def test_a_public_page_shows_the_credited_work(client, store, add_item):
    ana = _person(store, "ana", public=True, credit=True)
    _brought(store, add_item, ana, "Dockers strike in Santos")
    translated = add_item("Huelga en el puerto", language="es")
    with store.transaction() as s:
        s.add(Translation(item_id=translated, field="title", language="en",
                          source_language="es", text="Strike at the port", engine="human",
                          model_version="", is_human=True, author_id=ana))
    pending = _brought(store, add_item, ana, "Not yet published")
    with store.transaction() as s:
        s.get(Item, pending).status = "pending"
    page = client.get(f"/en/correspondents/{ana}")
    assert page.status_code == 200
    text = page.text
    assert "Ana S." in text and "Brasil" in text and "Docker in Santos." in text
    assert "writes in Portuguese" in text
    assert "Dockers strike in Santos" in text and "Strike at the port" in text
    assert "Not yet published" not in text
    spanish = client.get(f"/es/correspondents/{ana}").text
    assert "escribe en portugués" in spanish


def test_without_consent_there_is_no_page_and_no_credit(client, store, add_item):
    hidden = _person(store, "bruno", public=False, credit=True)
    assert client.get(f"/en/correspondents/{hidden}").status_code == 404
    shy = _person(store, "carla", public=True, credit=False)
    _brought(store, add_item, shy, "Tenants organise")
    page = client.get(f"/en/correspondents/{shy}").text
    assert "Carla S." in page and "Tenants organise" not in page
    assert client.get("/en/correspondents/999999").status_code == 404
    contributors = client.get("/en/contributors").text
    assert "Carla S." in contributors and "Bruno S." not in contributors


def test_a_withdrawn_consent_takes_the_page_down_at_once(client, store):
    ana = _person(store, "ana", public=True, credit=True)
    assert client.get(f"/en/correspondents/{ana}").status_code == 200  # kept now
    with store.transaction() as s:
        s.get(User, ana).public_profile = False
    assert client.get(f"/en/correspondents/{ana}").status_code == 404
    assert "Ana S." not in client.get("/en/contributors").text


def test_contributors_by_the_languages_they_write(client, store, add_item):
    ana = _person(store, "ana", public=True, credit=True, writes=("pt", "es"))
    _person(store, "dario", public=True, credit=True, writes=("es",))
    _brought(store, add_item, ana, "Dockers strike")
    page = client.get("/es/contributors").text
    spanish, portuguese = page.index("español"), page.index("portugués")
    assert spanish < portuguese  # the reader's language first
    assert page.count("Ana S.") == 2 and "1 contribución" in page
    with store.read() as s:
        assert s.scalar(select(Source.id)) is not None
