"""Any RabkorError a handler raises becomes the editor's error page with its class's status,
through the one handler in rabkor.editor.app — also an error class the app never heard of."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from rabkor.core.errors import RabkorError
from rabkor.editor.app import create_app


class Teapot(RabkorError):
    """A test's own error, unknown to the editor: it must still render with its status."""

    status = 418


async def brew(request: Request) -> None:
    raise Teapot("this kettle only makes tea")


async def fail(request: Request) -> None:
    raise RabkorError("the disk is full")


def test_an_unknown_rabkor_error_renders_with_its_status(settings, store):
    app = create_app(settings, store)
    app.router.routes += [Route("/brew", brew), Route("/fail", fail)]
    with TestClient(app) as client:
        teapot = client.get("/brew")
        assert teapot.status_code == 418
        assert "I&#39;m a Teapot" in teapot.text and "This kettle only makes tea." in teapot.text
        ours = client.get("/fail")
        assert ours.status_code == 500 and "The disk is full." in ours.text
        missing = client.get("/no-such-page")  # HTTPException goes the same way
        assert missing.status_code == 404 and "Not Found" in missing.text
