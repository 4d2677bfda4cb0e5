"""`rabkor run`: the web server and the pipeline in one process tree, stopped by Ctrl-C."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.net import free_port, wait_for


def item_count(db: Path) -> int:
    try:
        return sqlite3.connect(db).execute("SELECT count(*) FROM items").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_run_serves_crawls_and_stops_cleanly_on_ctrl_c(tmp_path: Path, feed_server):
    port = free_port()
    (tmp_path / "rabkor.toml").write_text(
        f'data_dir = "{tmp_path / "data"}"\nport = {port}\nlanguages = ["en", "es"]\n'
        f'allowed_loopback = ["{feed_server.hostport}"]\n'
        "full_text_pages = 0\n")  # the real feeds link to real sites: fetch no pages
    env = {**os.environ, "RABKOR_CONFIG": str(tmp_path / "rabkor.toml")}
    rabkor = [sys.executable, "-m", "rabkor.app.cli"]
    subprocess.run([*rabkor, "init"], env=env, check=True, capture_output=True)
    subprocess.run([*rabkor, "sources", "add", feed_server.url("en/guardian.rss")], env=env,
                   check=True, capture_output=True)

    proc = subprocess.Popen([*rabkor, "run"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for(lambda: _up(port), 30), "the site never answered"
        assert wait_for(lambda: item_count(tmp_path / "data" / "rabkor.db") == 55, 60)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "Traceback" not in out
    assert not _up(port)


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/en/", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
