"""`rabkor models ...` as an administrator uses it, offline, with the fixture package."""

from __future__ import annotations

import pytest

from rabkor.app.cli import main


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("RABKOR_CONFIG", "RABKOR_DATA_DIR", "RABKOR_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "rabkor.toml").write_text(
        'argos_index_url = "http://127.0.0.1:9/index.json"\n')
    return tmp_path


def test_install_list_remove(workdir, capsys, en_es_model):
    assert main(["models", "install", str(en_es_model)]) == 0
    assert "installed en→es 0.0.1" in capsys.readouterr().out
    assert main(["models", "list"]) == 0
    assert "0.0.1" in capsys.readouterr().out
    assert main(["models", "remove", "en", "es"]) == 0
    assert "removed en→es 0.0.1" in capsys.readouterr().out
    assert not (workdir / "data" / "models" / "argos" / "en_es").exists()
    assert main(["models", "remove", "en", "es"]) == 2
    assert "no en→es package is installed" in capsys.readouterr().err


def test_available_offline_is_a_readable_error(workdir, capsys):
    assert main(["models", "available"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach the Argos package index" in err and "models install FILE" in err


def test_a_corrupt_file_is_reported_with_what_to_do(workdir, capsys, en_es_model):
    broken = workdir / "broken.argosmodel"
    broken.write_bytes(en_es_model.read_bytes()[:4000])
    assert main(["models", "install", str(broken)]) == 2
    assert "download it again" in capsys.readouterr().err
