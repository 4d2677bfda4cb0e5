"""The command line as an administrator uses it: init, users, sources, readable errors."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from rabkor.app.cli import main
from rabkor.core.settings import documented


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("RABKOR_CONFIG", "RABKOR_DATA_DIR", "RABKOR_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_init_writes_config_secret_and_database(workdir: Path, capsys):
    assert main(["init"]) == 0
    assert "languages" in (workdir / "rabkor.toml").read_text()
    assert (workdir / "data" / "secret.key").exists()
    assert (workdir / "data" / "rabkor.db").exists()
    assert main(["init"]) == 0  # a second run keeps everything


def test_users_and_sources(workdir: Path, capsys, monkeypatch, feed_server):
    main(["init"])
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    assert main(["users", "add", "maria", "--role", "editor", "--password-stdin"]) == 0
    monkeypatch.setenv("RABKOR_ALLOWED_LOOPBACK", feed_server.hostport)  # `add` fetches it
    assert main(["sources", "add", feed_server.url("de/spiegel.xml"), "--language", "de"]) == 0
    assert main(["sources", "list"]) == 0
    out = capsys.readouterr().out
    assert "created editor maria" in out and "spiegel.xml" in out


def test_errors_are_readable_and_exit_2(workdir: Path, capsys):
    main(["init"])
    assert main(["sources", "add", "javascript:alert(1)"]) == 2
    assert "error:" in capsys.readouterr().err
    (workdir / "rabkor.toml").write_text("port = 'eighty'\n")
    assert main(["sources", "list"]) == 2
    assert "port" in capsys.readouterr().err


def test_crawl_then_translate_status_names_missing_pairs(workdir: Path, capsys, feed_server):
    (workdir / "rabkor.toml").write_text(
        f'languages = ["en", "de"]\nallowed_loopback = ["{feed_server.hostport}"]\n')
    main(["init"])
    main(["sources", "add", feed_server.url("de/spiegel.xml"), "--language", "de"])
    assert main(["crawl"]) == 0
    assert "1 new items from 1 sources, 0 failed" in capsys.readouterr().out
    assert main(["translate", "--status"]) == 0
    out = capsys.readouterr().out
    assert "de→en: missing (1 items waiting): rabkor models install de en" in out


def test_settings_and_init_help_list_every_setting_with_its_doc(workdir: Path, capsys):
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    for name, doc in documented().items():
        assert f"{name} = " in out and doc in out, name
    assert "secret_key = (not set)" in out  # a secret is never printed
    with pytest.raises(SystemExit):
        main(["init", "--help"])
    helped = capsys.readouterr().out
    assert all(f"  {name} (default " in helped for name in documented())
