"""The wheel carries every module and template: a subpackage missing from pyproject's
`packages` still imports in an editable install but is silently absent from the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("core", "crawler", "translate", "editor", "site")


@pytest.mark.slow
def test_wheel_contains_every_module_and_template(tmp_path: Path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("rabkor-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "rabkor/" + str(path.relative_to(ROOT))
        for stage in STAGES
        for path in (ROOT / stage).rglob("*")
        if path.is_file() and path.suffix in {".py", ".html", ".css", ".mako"}
        and "__pycache__" not in path.parts
    }
    missing = sorted(expected - names)
    assert not missing, f"absent from the wheel: {missing}"
