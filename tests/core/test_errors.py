"""Every RabkorError in the codebase says what it means (its docstring) and which HTTP
status it is (`status`), so the web apps can render any of them through one handler."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from http import HTTPStatus

# Imports every module of every stage in a fresh interpreter (so that each error class is
# defined, and no test's own subclass is), then lists RabkorError and all its subclasses.
WALK = """
import importlib, json, pkgutil
STAGES = ("app", "core", "crawler", "translate", "editor", "site")
for stage in STAGES:
    package = importlib.import_module(f"rabkor.{stage}")
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if ".migrations." not in module.name:  # alembic runs those itself
            importlib.import_module(module.name)
from rabkor.core.errors import RabkorError
def walk(cls):
    yield cls
    for sub in cls.__subclasses__():
        yield from walk(sub)
print(json.dumps(sorted(
    [f"{c.__module__}.{c.__qualname__}", c.status, (c.__dict__.get("__doc__") or "").strip()]
    for c in set(walk(RabkorError)))))
"""


@functools.cache
def _error_classes() -> list[tuple[str, int, str]]:
    out = subprocess.run([sys.executable, "-c", WALK], check=True, capture_output=True,
                         text=True, timeout=300)
    return [tuple(row) for row in json.loads(out.stdout)]


def test_every_error_class_has_a_status_and_a_docstring():
    classes = _error_classes()
    names = {name for name, _, _ in classes}
    assert {"rabkor.core.errors.RabkorError", "rabkor.core.errors.InvalidTransition",
            "rabkor.editor.errors.PostEditConflict", "rabkor.crawler.websub.hub.NoSuchSubscription",
            "rabkor.crawler.fetch.direct.AddressRefused"} <= names
    for name, status, doc in classes:
        assert doc, f"{name} has no docstring of its own saying what it means"
        assert isinstance(status, int) and 400 <= status <= 599, f"{name}: status {status}"
        HTTPStatus(status)  # a status the web knows


def test_the_statuses_the_web_relies_on():
    statuses = {name.rsplit(".", 1)[1]: status for name, status, _ in _error_classes()}
    assert statuses["RabkorError"] == 500
    assert (statuses["QueryError"], statuses["InvalidTransition"]) == (400, 409)
    assert (statuses["NotPermitted"], statuses["PostEditConflict"],
            statuses["AlreadyClaimed"], statuses["IncompleteTranslation"],
            statuses["ReasonRequired"], statuses["TextTooLong"]) == (403, 409, 409, 400, 400,
                                                                     400)
    assert (statuses["NoSuchSubscription"], statuses["BadSignature"],
            statuses["PushTooLarge"]) == (404, 403, 413)
