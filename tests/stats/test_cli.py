"""`rabkor stats import | report | close` as an administrator runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from rabkor.app.cli import main
from tests.stats.conftest import REAL_LOG, line, write_log


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("RABKOR_CONFIG", "RABKOR_DATA_DIR", "RABKOR_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_import_then_report_in_three_formats_then_close(workdir: Path, capsys):
    assert main(["stats", "import", str(REAL_LOG)]) == 0
    out = capsys.readouterr().out
    assert "9,999 views imported from 10,000 lines in 1 files" in out
    assert "skipped 1 lines (not a combined or common log line: 1)" in out
    assert "apache_logs.gz:8899: not a combined or common log line" in out
    assert main(["stats", "import", str(REAL_LOG)]) == 0
    assert "10,000 lines imported before" in capsys.readouterr().out

    assert main(["stats", "report", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["month"] == "2015-05" and found["readers"] > 500
    assert main(["stats", "report", "--month", "2015-05"]) == 0
    text = capsys.readouterr().out
    assert f"distinct readers: {found['readers']:,}" in text
    assert f"excluded: {found['excluded']['robot_hits']:,} robot hits" in text
    assert main(["stats", "report", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["section", "key", "measure", "value"]
    assert ["day", "2015-05-18", "pages", str(found["days"][17]["pages"])] in rows

    assert main(["stats", "close", "--month", "2015-05"]) == 0
    assert "its salt destroyed" in capsys.readouterr().out
    assert main(["stats", "report", "--format", "json"]) == 0
    closed = json.loads(capsys.readouterr().out)
    assert closed["state"] == "closed" and closed["readers"] == found["readers"]


def test_clear_errors(workdir: Path, capsys):
    def said() -> str:
        return " ".join(capsys.readouterr().err.split())

    assert main(["stats", "report", "--month", "2026-13"]) == 2
    assert "is not a month" in said()
    assert main(["stats", "report"]) == 2
    assert "no statistics yet" in said()
    assert main(["stats", "import", str(workdir / "missing.log")]) == 2
    assert "missing.log: no such file" in said()
    assert main(["stats", "close", "--month", "2026-11"]) == 2
    assert "no statistics for 2026-11" in said()


def test_a_cut_off_file_is_reported_and_exits_1(workdir: Path, capsys):
    import gzip

    lines = [line("192.0.2.1", "03/Nov/2026:10:00:00 +0000", f"/en/items/{n}")
             for n in range(20_000)]
    whole = gzip.compress("".join(lines).encode())
    cut = write_log(workdir / "cut.log.gz", whole[: len(whole) // 2])
    assert main(["stats", "import", str(cut)]) == 1
    assert "import the whole file again" in " ".join(capsys.readouterr().err.split())
