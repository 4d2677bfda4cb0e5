"""`rabkor demo` prepares a working site on the real sample feeds (serving is tested by
test_run and the browser test; here the demo stops before serving)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import func, select
from starlette.testclient import TestClient

from rabkor.app.demo import DEMO_SOURCES, run_demo
from rabkor.app.server import create_app
from rabkor.core.errors import RabkorError
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Decision, Item, ItemStatus, Translation


@pytest.mark.slow
def test_demo_crawls_translates_approves_and_indexes(tmp_path: Path):
    data = tmp_path / "demo-data"
    settings = Settings(languages=("en", "es", "de"))
    console = Console(file=io.StringIO())
    assert run_demo(settings, data_dir=data, port=8000, serve_site=False, console=console) == 0
    out = console.file.getvalue()
    assert "Rabkor demo ready" in out and "demo / demo-editor" in out

    settings = settings.with_(data_dir=data)
    store = Store(settings)
    with store.read() as s:
        approved = s.scalar(select(func.count()).where(Item.status == ItemStatus.APPROVED))
        assert approved >= len(DEMO_SOURCES)
        assert s.scalar(select(func.count()).select_from(Decision)) == approved
        if shutil.which("apertium"):
            assert s.scalar(select(func.count()).select_from(Translation)) > 0
    client = TestClient(create_app(settings.with_(secret_key="x"), store),
                        base_url="http://127.0.0.1:8000")  # where the demo serves
    assert client.get("/en/").status_code == 200
    assert client.get("/en/search", params={"q": "Bolsonaro"}).status_code == 200
    store.close()

    # A second run starts afresh; a folder that is not a demo's is never deleted.
    assert run_demo(settings, data_dir=data, port=8000, serve_site=False,
                    console=Console(file=io.StringIO())) == 0
    (tmp_path / "precious").mkdir()
    with pytest.raises(RabkorError, match="not a demo directory"):
        run_demo(settings, data_dir=tmp_path / "precious", port=8000, serve_site=False,
                 console=Console(file=io.StringIO()))
