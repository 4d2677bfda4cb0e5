"""The layering is a contract, not a drawing: import-linter checks the contracts in
pyproject.toml, and an import that breaks one fails here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")
FOLDERS = ("app", "core", "crawler", "translate", "editor", "site", "stats", "search")


def _lint(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False)


def test_the_code_keeps_every_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "BROKEN" not in result.stdout and " KEPT" in result.stdout


def test_an_import_against_a_contract_fails(tmp_path: Path):
    """A copy of the tree as `rabkor.*` (first on the path, before the editable install),
    with one arrow the wrong way: core importing a stage, hidden inside a function."""
    tree = tmp_path / "rabkor"
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, tree / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "static", "templates",
                                                      "demo_feeds"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tree / "core" / "settings.py").open("a", encoding="utf-8") as module:
        module.write("\n\ndef _sneaky():\n    from rabkor.crawler.run import crawl\n\n"
                     "    return crawl\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = _lint(tmp_path, env)
    assert result.returncode != 0
    assert "rabkor.core.settings -> rabkor.crawler.run" in result.stdout
