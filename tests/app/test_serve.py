"""`rabkor serve` as the README runs it, in a real process on loopback: with `workers`
set it serves from that many processes on one port, each worker's kept pages follow a
decision taken in another process at once, and Ctrl-C stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from rabkor.core.settings import Settings
from rabkor.core.store.db import open_store
from rabkor.core.store.models import Item, ItemStatus, Source
from tests.net import free_port, wait_for

DECIDE = """
import sys
from pathlib import Path
from rabkor.core.settings import Settings
from rabkor.core.store.db import Store
from rabkor.core.store.models import Item, ItemStatus
with Store(Settings(data_dir=Path(sys.argv[1]))).transaction() as s:
    s.get(Item, int(sys.argv[2])).status = ItemStatus.APPROVED
"""


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def _workers(pid: int) -> list[int]:
    """The server's worker processes (multiprocessing also starts a resource tracker)."""
    return [child for child in _children(pid)
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]


def test_two_workers_serve_and_follow_the_desk_and_stop_together(tmp_path):
    data = tmp_path / "data"
    store = open_store(Settings(data_dir=data))
    with store.transaction() as s:
        source = Source(feed_url="http://example.org/feed", title="Example Source")
        s.add_all([Item(source=source, url="http://example.org/1", title="Dockers strike",
                        language="en", status=ItemStatus.APPROVED),
                   waiting := Item(source=source, url="http://example.org/2",
                                   title="Asamblea general", language="es")])
        s.flush()
        waiting_id = waiting.id
    store.close()
    port = free_port()
    env = {**os.environ, "RABKOR_DATA_DIR": str(data), "RABKOR_PORT": str(port),
           "RABKOR_WORKERS": "2", "RABKOR_PAGE_CACHE_SECONDS": "600"}
    server = subprocess.Popen([sys.executable, "-m", "rabkor.app.cli", "serve"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def up():
            try:
                return httpx.get(f"{base}/en/", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        assert wait_for(up, 60), "the server did not answer"
        assert len(_workers(server.pid)) == 2
        with httpx.Client(base_url=base) as client:  # new connections reach both workers
            pages = [httpx.get(f"{base}/en/").text for _ in range(20)]
            assert all("Dockers strike" in page and "Asamblea general" not in page
                       for page in pages)
            subprocess.run([sys.executable, "-c", DECIDE, str(data), str(waiting_id)],
                           check=True)
            pages = [httpx.get(f"{base}/en/").text for _ in range(20)]
            assert all("Asamblea general" in page for page in pages)
            assert client.get("/editor/login").status_code == 200
        workers = _workers(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert "stopped" in output
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
