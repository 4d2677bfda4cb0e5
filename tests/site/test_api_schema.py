"""The API against its own OpenAPI document, by schemathesis: for every operation,
generated requests (valid and invalid) to the running app over a store with published
items, translations, a topic and a search index; every answer must have a documented
status, the documented content type and match the documented schema, invalid input
must be refused with a 4xx, and nothing may fail with a 5xx. The submissions operation
is sent a real correspondent's token (schemathesis also checks that it is refused
without one or with a wrong one). Deterministic (hypothesis derandomized) and bounded
in examples."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from rabkor.core import tokens
from rabkor.core.accounts import create_user
from rabkor.core.store.kinds import TokenKind, utcnow
from rabkor.core.store.models import ItemStatus, ItemTopic, Topic
from rabkor.core.text.chars import printable
from rabkor.search.indexer import update_index
from rabkor.site.api import URL_PATTERN
from rabkor.site.app import create_app
from rabkor.site.forms import url_problem
from rabkor.site.handlers.api import OPERATIONS, PREFIX
from rabkor.site.openapi import PATH_PARAM

EXAMPLES = 25  # for each operation and mode: tens of seconds in all


@pytest.fixture
def token(store) -> str:
    """The API token of a correspondent of a month ago (past the new-account rule)."""
    with store.transaction() as s:
        user = create_user(s, "rosa", "a long password", "correspondent")
        user.created_at = utcnow() - timedelta(days=30)
        s.flush()
        return tokens.issue(s, user.id, TokenKind.API)


@pytest.fixture
def api_schema(settings, store, add_item, token):
    """The document as the running app serves it, over a store with something in it."""
    settings = settings.with_(trusted_hosts=("testserver", "127.0.0.1", "localhost"),
                              submission_limits_account="10000/hour",
                              submission_limits_visitor="10000/hour")
    ids = [add_item(f"Huelga {n}", language="es", summary="<p>Los <b>estibadores</b></p>",
                    content="<p>Texto.</p>", translations={("title", "en"): f"Strike {n}",
                                                           ("summary", "en"): "Dockers"},
                    media_kind=("article", "audio")[n % 2],
                    enclosure_url="https://cdn.example.org/a.mp3" if n % 2 else None,
                    duration_seconds=600 if n % 2 else None) for n in range(12)]
    add_item("Pending", status=ItemStatus.PENDING)
    add_item("Corrected", translations={("title", "es"): "Corregido"}, human=True)
    with store.transaction() as s:
        topic = Topic(slug="strikes", names={"en": "Strikes", "es": "Huelgas"})
        s.add(topic)
        s.flush()
        s.add_all([ItemTopic(item_id=i, topic_id=topic.id) for i in ids[:4]])
    update_index(settings, store)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(settings, store))

    @schema.auth().apply_to(method="POST")
    class Correspondent:
        """The real token, as the document's Bearer scheme says to send it."""

        def get(self, case, context) -> str:
            return token

        def set(self, case, data: str, context) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return schema


# schemathesis's own pytest plugin (schema.parametrize) does not run under pytest 9
# (it sets Function._nodeid): each operation's strategy is driven by hypothesis here,
# with valid requests, and with invalid ones where the operation has parameters
CASES = [(op.method, PREFIX + PATH_PARAM.sub(r"{\1}", op.path), mode) for op in OPERATIONS
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if op.query or "{" in op.path or mode is GenerationMode.POSITIVE]


@pytest.mark.parametrize(("method", "path", "mode"), CASES,
                         ids=[f"{method}-{path}-{mode.value}" for method, path, mode in CASES])
def test_every_answer_is_what_the_document_says(api_schema, method, path, mode):
    operation = api_schema[path][method]
    # what a schema cannot say: which strings are cursors this API gave, and which are
    # searches its query language reads ("-", "OR" alone are not); a valid request with
    # either gets the documented 400 and not the acceptance that valid data must find
    excluded = [positive_data_acceptance] if path.endswith("/search") else []
    cursor = _a_cursor(api_schema) if path.endswith("/items") else None
    # nor which addresses the URL Standard's parser reads (any script, odd host names):
    # the document's pattern says a part of them, so an address outside it that the
    # form's own check takes is not one the API must refuse

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
                         suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        if cursor and mode is GenerationMode.POSITIVE and "cursor" in (case.query or {}):
            case.query["cursor"] = cursor
        url = (case.body or {}).get("url") if isinstance(case.body, dict) else None
        taken = isinstance(url, str) and not re.match(URL_PATTERN, url) and \
            url_problem(printable(url).strip()) is None
        case.call_and_validate(excluded_checks=[*excluded, negative_data_rejection]
                               if taken else excluded)

    check()


def _a_cursor(api_schema) -> str:
    """A cursor the API gave: its first page's, one item a page."""
    answer = api_schema["/api/v1/items"]["GET"].Case(query={"limit": 1}).call()
    return parse_qs(urlsplit(answer.json()["next"]).query)["cursor"][0]
