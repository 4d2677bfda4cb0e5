"""The capture as `rabkor serve` runs it with two workers, each with its own writer
process, on SQLite and on PostgreSQL: real requests from ten readers over new connections
(so both workers serve each of them), then the server stopped, then the report — every
view stored once, none lost at shutdown, each reader one key although two writers added
to it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import func, select

from rabkor.core.store.models import PageView, StatsMonth
from rabkor.stats.report import report
from tests.net import free_port, wait_for
from tests.stats.conftest import BROWSER

READERS = [f"192.0.2.{n}" for n in range(1, 11)]
ROUNDS = 20  # pages a reader at most: under the burst rule's 30 within 60 s


def _children(pid: int) -> list[int]:
    """Of every thread: the writer is started by the worker's sending thread."""
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def _spawned(pid: int) -> list[int]:
    """Children started by multiprocessing's spawn: a server's workers, a worker's writer."""
    found = []
    for child in _children(pid):
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except FileNotFoundError:
            pass
    return found


def test_two_workers_store_every_view_once(any_store):
    settings = any_store.settings
    port = free_port()
    env = {**os.environ, "RABKOR_DATA_DIR": str(settings.data_dir), "RABKOR_PORT": str(port),
           "RABKOR_WORKERS": "2", "RABKOR_STATS_ENABLED": "true"}
    if settings.database_url:
        env["RABKOR_DATABASE_URL"] = settings.database_url
    server = subprocess.Popen([sys.executable, "-m", "rabkor.app.cli", "serve"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    sent = 0
    try:
        def up():  # the editor's page: not a view of the site
            try:
                return httpx.get(f"{base}/editor/login", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        if not wait_for(up, 120):
            server.kill()
            raise AssertionError(f"the server did not answer: {server.communicate()[0]}")
        writers: dict[int, list[int]] = {}
        for round_ in range(ROUNDS):
            path = "/en/" if round_ % 2 == 0 else "/es/"
            for address in READERS:  # a new connection each: the workers take turns
                answer = httpx.get(base + path, headers={"User-Agent": BROWSER,
                                                         "X-Forwarded-For": address})
                assert answer.status_code == 200
                sent += 1
            writers = {worker: _spawned(worker) for worker in _spawned(server.pid)}
            if round_ >= 3 and len(writers) == 2 and all(writers.values()):
                break
        assert len(writers) == 2 and all(writers.values()), (
            f"both workers should have served readers and started a writer: {writers}")
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    with any_store.read() as s:
        stored = s.scalar(select(func.count()).select_from(PageView)
                          .where(PageView.kind == "page"))
        dropped = s.scalar(select(func.sum(StatsMonth.dropped_views)))
        got = report(s, None)
    assert (stored, dropped) == (sent, 0)
    assert got["readers"] == len(READERS)
    assert sum(day["pages"] for day in got["days"]) == sent
    departments = {d["department"]: d["readers"] for d in got["departments"] if d["readers"]}
    assert departments == {"en": len(READERS), "es": len(READERS)}
    assert got["excluded"]["behaviour_robots"] == 0
