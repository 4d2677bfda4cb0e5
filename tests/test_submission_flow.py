"""A correspondent's link from the site's form to the published item, through the real
combined application (one session for the site and the desk) and a real article page
served on loopback: signed in, the correspondent lands on their submissions, sends the
page with a note, the pipeline's submission step fetches it into the queue, an editor
sees who sent it and approves it, the public item credits the correspondent, and their
page shows it published with its link."""

from __future__ import annotations

import gzip
import re
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rabkor.app.server import create_app
from rabkor.core.accounts import create_user
from rabkor.core.store.kinds import utcnow
from rabkor.crawler.submissions.process import process_submissions
from tests.feedserver import FeedServer

ARTICLE = Path(__file__).parent / "data" / "pages" / "articles" / "bbc-1.html.gz"
PASSWORD = "a long password"


@pytest.fixture
def page_server(tmp_path):
    (tmp_path / "obama.html").write_bytes(gzip.decompress(ARTICLE.read_bytes()))
    server = FeedServer(tmp_path)
    yield server
    server.close()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client: TestClient, username: str) -> str:
    answer = client.post("/editor/login", follow_redirects=False, data={
        "username": username, "password": PASSWORD,
        "csrf_token": csrf(client.get("/editor/login").text)})
    assert answer.status_code == 303
    return answer.headers["location"]


def test_a_link_sent_on_the_site_is_fetched_approved_and_credited(settings, store,
                                                                  page_server):
    settings = settings.with_(allowed_loopback=(page_server.hostport,),
                              trusted_hosts=("testserver",), stats_enabled=False)
    with store.transaction() as s:
        rosa = create_user(s, "rosa", PASSWORD, "correspondent")
        rosa.display_name, rosa.credit_consent, rosa.public_profile = "Rosa L.", True, True
        rosa.created_at = utcnow() - timedelta(days=30)
        rosa_id = rosa.id
        create_user(s, "ed", PASSWORD, "editor")
    app = create_app(settings, store)
    with TestClient(app) as correspondent, TestClient(app) as editor:
        assert login(correspondent, "rosa") == "/editor/submissions"
        form = correspondent.get("/en/submit", params={"url": page_server.url("obama.html")})
        assert page_server.url("obama.html") in form.text  # as the bookmarklet opens it
        sent = correspondent.post("/en/submit", data={
            "csrf_token": csrf(form.text), "url": page_server.url("obama.html"),
            "note": "The president on guns", "language": "en"})
        assert "Follow it on your submissions page" in sent.text
        assert "waiting to be fetched" in correspondent.get("/editor/submissions").text

        assert process_submissions(settings, store).items == 1  # the pipeline's step
        assert "in the editors’ queue" in correspondent.get("/editor/submissions").text

        login(editor, "ed")
        queue = editor.get("/editor/").text
        assert "Submitted by Rosa L." in queue and "The president on guns" in queue
        item_id = int(re.search(r'id="item-(\d+)"', queue).group(1))
        assert editor.post(f"/editor/items/{item_id}/approve",
                           data={"csrf_token": csrf(queue)}).status_code == 200

        public = correspondent.get(f"/en/items/{item_id}").text
        assert "gun laws" in public and "Submitted by" in public
        assert f'href="/en/correspondents/{rosa_id}"' in public
        mine = correspondent.get("/editor/submissions").text
        assert "published" in mine and f'href="/en/items/{item_id}"' in mine
