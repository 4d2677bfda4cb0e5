"""Guessing passwords costs the guesser: failed logins are limited per account and per
visitor (429 with Retry-After, the right password refused too while it lasts), and each
failure is logged with the username and a visitor hash — never the password or address."""

from __future__ import annotations

import logging
import time

import pytest
from starlette.testclient import TestClient

from rabkor.core.accounts import create_user
from rabkor.core.errors import ConfigError
from rabkor.editor.app import create_app
from rabkor.editor.throttle import LoginThrottle
from tests.editor.helpers import PASSWORD, csrf_of


@pytest.fixture
def edith(store) -> str:
    with store.transaction() as s:
        create_user(s, "edith", PASSWORD, "editor")
    return "edith"


def attempt(client: TestClient, username: str, password: str):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", follow_redirects=False,
                       data={"username": username, "password": password, "csrf_token": token})


def test_fifty_wrong_passwords_then_the_right_one_is_refused_too(client, edith, caplog):
    caplog.set_level(logging.WARNING, logger="rabkor.editor.handlers.auth")
    statuses = [attempt(client, edith, f"guess number {n}").status_code for n in range(50)]
    assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}  # 5 a minute
    right = attempt(client, edith, PASSWORD)
    assert right.status_code == 429
    assert 1 <= int(right.headers["Retry-After"]) <= 60
    assert "Too many failed logins" in right.text and "Try again in 1 minute." in right.text
    assert 'value="edith"' in right.text  # a readable page: the login form again

    failed = [r.getMessage() for r in caplog.records if "login failed" in r.getMessage()]
    refused = [r.getMessage() for r in caplog.records if "too many" in r.getMessage()]
    assert len(failed) == 5 and len(refused) == 46
    assert all("username='edith'" in line and "visitor=" in line for line in failed + refused)
    assert not any("guess number" in r.getMessage() or PASSWORD in r.getMessage()
                   or "testclient" in r.getMessage() for r in caplog.records)


def test_a_visitor_spraying_many_accounts_is_stopped(client, edith):
    statuses = [attempt(client, f"user{n}", "a wrong password").status_code
                for n in range(12)]
    assert statuses == [400] * 10 + [429] * 2  # 10 a minute per visitor, any usernames
    assert attempt(client, edith, PASSWORD).status_code == 429  # nor may it log in now


def test_an_account_under_attack_is_limited_whatever_the_case(client, edith):
    for n in range(5):
        attempt(client, "EDITH" if n % 2 else " edith", "wrong password")
    assert attempt(client, edith, PASSWORD).status_code == 429


def test_the_limits_pass_and_a_success_clears_the_account(settings, store, edith):
    settings = settings.with_(login_limits_account="2/second", login_limits_visitor="50/hour")
    with TestClient(create_app(settings, store)) as client:
        assert attempt(client, edith, "wrong password").status_code == 400
        assert attempt(client, edith, "wrong password").status_code == 400
        throttled = attempt(client, edith, PASSWORD)
        assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"
        time.sleep(1.1)
        assert attempt(client, edith, "wrong password").status_code == 400
        assert attempt(client, edith, PASSWORD).status_code == 303  # in, and the count gone
        assert attempt(client, edith, "wrong password").status_code == 400
        assert attempt(client, edith, "wrong password").status_code == 400


def test_visitors_are_keyed_by_a_hash_drawn_per_process(settings):
    first, second = LoginThrottle(settings), LoginThrottle(settings)
    key = first.visitor("203.0.113.7")
    assert key == first.visitor("203.0.113.7") and "203" not in key
    assert key != second.visitor("203.0.113.7")


def test_unreadable_limits_say_which_setting(settings, store):
    with pytest.raises(ConfigError, match="login_limits_account"):
        create_app(settings.with_(login_limits_account="five a minute"), store)
