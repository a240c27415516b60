"""Report files are written atomically: whole or not at all, never a stray temp file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from runner.cli.output import check_report_target, render_report, write_report


def test_cli_write_report_writes_stable_json(tmp_path: Path) -> None:
    """The file holds the report as indented JSON in key order, ending with a newline."""
    report = {"b": 1, "a": [1.5, None], "é": "ü"}
    out = tmp_path / "r.json"
    write_report(out, report)
    text = out.read_text(encoding="utf-8")
    assert text == render_report(report)
    assert text.endswith("}\n")
    assert list(json.loads(text)) == ["b", "a", "é"]
    assert os.listdir(tmp_path) == ["r.json"]


def test_cli_write_report_failure_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the final rename fails, the previous report is untouched and no temp file remains."""
    out = tmp_path / "r.json"
    out.write_text("old\n", encoding="utf-8")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        write_report(out, {"status": "Succeeded"})
    assert out.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["r.json"]


def test_cli_unserialisable_report_writes_nothing(tmp_path: Path) -> None:
    """A report that is not valid JSON (NaN) raises before any file is created."""
    out = tmp_path / "r.json"
    with pytest.raises(ValueError):
        write_report(out, {"duration_seconds": float("nan")})
    assert os.listdir(tmp_path) == []


def test_cli_check_report_target(tmp_path: Path) -> None:
    """A report target must not be a directory and its directory must exist."""
    assert check_report_target(tmp_path / "r.json") is None
    assert check_report_target(tmp_path) == "is a directory"
    problem = check_report_target(tmp_path / "no" / "r.json")
    assert problem is not None
    assert "does not exist" in problem
