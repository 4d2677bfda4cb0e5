"""The wheel carries every module and template: a subpackage missing from pyproject's
`packages` still imports in an editable install but is silently absent from the wheel."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("app", "core", "crawler", "translate", "editor", "site")


def _build_wheel(folder: Path) -> Path:
    """The wheel, built from a copy of the sources (setuptools writes build/ where it builds)."""
    source = folder / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "tests", "bench", "*.egg-info", "__pycache__", "data",
        "demo-data"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(folder), str(source)], check=True, capture_output=True)
    return next(folder.glob("rabkor-*.whl"))


@pytest.mark.slow
def test_wheel_contains_every_module_and_template(tmp_path: Path):
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "rabkor/" + str(path.relative_to(ROOT))
        for stage in STAGES
        for path in (ROOT / stage).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
        and (path.suffix in {".py", ".html", ".css", ".mako"} or "demo_feeds" in path.parts)
    }
    missing = sorted(expected - names)
    assert not missing, f"absent from the wheel: {missing}"


@pytest.mark.slow
def test_the_demo_runs_from_the_installed_wheel(tmp_path: Path):
    """`pip install rabkor` then `rabkor demo`, far from any checkout: the wheel carries the
    demo's feeds. The fresh venv gets Rabkor from the wheel alone; its dependencies come
    from this venv's site-packages through a .pth line (a plain path: the editable
    install's finder there is not activated), so nothing is downloaded."""
    wheel = _build_wheel(tmp_path / "dist")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], check=True, capture_output=True, text=True)
    ours = next(p for p in sys.path if p.endswith("site-packages"))
    (Path(site.stdout.strip()) / "dependencies.pth").write_text(ours + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", str(wheel)], check=True, capture_output=True)
    where = subprocess.run([str(python), "-c", "import rabkor.app; print(rabkor.app.__file__)"],
                           check=True, capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.startswith(str(venv)), where.stdout
    env = {k: v for k, v in os.environ.items() if not k.startswith("RABKOR_")}
    demo = subprocess.run([str(venv / "bin" / "rabkor"), "demo", "--no-serve", "--data-dir",
                           str(tmp_path / "demo")], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=600)
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "Rabkor demo ready" in demo.stdout
    crawled = re.search(r"(\d+) items from 9 sources", demo.stdout)
    assert crawled and int(crawled.group(1)) > 100, demo.stdout[-2000:]
