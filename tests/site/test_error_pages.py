"""Any RabkorError a handler raises becomes the site's error page with its class's status,
through the one handler in rabkor.site.app — also an error class the site never heard of;
readers see a 4xx error's message, and only general words for Rabkor's own failures."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from rabkor.core.errors import RabkorError
from rabkor.site.app import create_app


class Teapot(RabkorError):
    """A test's own error, unknown to the site: it must still render with its status."""

    status = 418


async def brew(request: Request) -> None:
    raise Teapot("This kettle only makes tea.")


async def fail(request: Request) -> None:
    raise RabkorError("the database at /srv/secret/rabkor.db is locked")


def test_an_unknown_rabkor_error_renders_with_its_status(settings, store):
    app = create_app(settings, store)
    app.router.routes[:0] = [Route("/{lang}/brew", brew), Route("/{lang}/fail", fail)]
    with TestClient(app) as client:
        teapot = client.get("/en/brew")
        assert teapot.status_code == 418 and "This kettle only makes tea." in teapot.text
        assert 'lang="en"' in teapot.text
        ours = client.get("/en/fail")
        assert ours.status_code == 500 and "Something went wrong." in ours.text
        assert "/srv/secret" not in ours.text


def test_an_address_no_route_matches_is_answered_in_its_language(client):
    missing = client.get("/es/no/such/page")
    assert missing.status_code == 404
    assert "Esta página no existe." in missing.text and '<html lang="es"' in missing.text
    assert '<html lang="en"' in client.get("/xx/no-such-page").text  # not a site language
