"""The editor app on the shared migrated store, a client for it and `login_as`."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest
from starlette.testclient import TestClient

from rabkor.core.accounts import create_user
from rabkor.core.store.db import Store
from rabkor.core.store.models import User
from rabkor.crawler.sources.desk import SourceDesk
from rabkor.editor.app import create_app
from tests.editor.helpers import PASSWORD, csrf_of

LoginAs = Callable[..., User]


@pytest.fixture
def settings(settings):
    """The shared settings, with the name TestClient addresses the app by trusted."""
    return settings.with_(trusted_hosts=("testserver",))

@pytest.fixture
def client(settings, store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store, sources=SourceDesk(settings, store))) as client:
        yield client


@pytest.fixture
def login_as(store: Store) -> LoginAs:
    """`login_as(client, role)` creates a user with that role and logs the client in."""
    numbers = itertools.count(1)

    def login(client: TestClient, role: str, prefix: str = "") -> User:
        with store.transaction() as s:
            user = create_user(s, f"{role}{next(numbers)}", PASSWORD, role)
        token = csrf_of(client.get(f"{prefix}/login").text)
        response = client.post(f"{prefix}/login", follow_redirects=False, data={
            "username": user.username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303, response.text
        return user

    return login
