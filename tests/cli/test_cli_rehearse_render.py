"""`pycau rehearse --html/--junit/--markdown`, and `pycau report` of a saved rehearse report."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli

FORMATS = ("html", "junit", "markdown")


@pytest.fixture(scope="module")
def rehearsed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four runs of four-node-rolling with faults and a window, every rendering written."""
    out = tmp_path_factory.mktemp("rehearsed")
    args = ["rehearse", "four-node-rolling", "--runs", "4", "--faults", "2", "--window", "3h",
            "--jobs", "1", "--no-progress", "--report", str(out / "forecast.json")]  # fmt: skip
    for fmt in FORMATS:
        args += [f"--{fmt}", str(out / f"forecast.{fmt}")]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_rehearse_writes_every_rendering(rehearsed: Path) -> None:
    """The page has a bar per histogram bin; JUnit a case per seed and the window case."""
    report = json.loads((rehearsed / "forecast.json").read_text("utf-8"))
    page = (rehearsed / "forecast.html").read_text("utf-8")
    counts = [int(n) for n in re.findall(r'<rect class="bin" data-count="(\d+)"', page)]
    assert counts == [b["runs"] for b in report["histogram"]["bins"]]
    cases = [c.get("name") for c in ET.parse(rehearsed / "forecast.junit").iter("testcase")]
    seeds = [f"seed {r['seed']}" for r in report["results"]]
    assert cases == [*seeds, "every run finishes inside the window"]
    markdown = (rehearsed / "forecast.markdown").read_text("utf-8")
    assert markdown.startswith("### pycau rehearse of four-node-rolling: 4 run(s)")


def test_report_renders_a_saved_rehearse_report_identically(
    rehearsed: Path, tmp_path: Path
) -> None:
    """`pycau report forecast.json` gives the renderings rehearse wrote, byte for byte."""
    args = ["report", str(rehearsed / "forecast.json")]
    for fmt in FORMATS:
        args += [f"--{fmt}", str(tmp_path / f"again.{fmt}")]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "rehearse report" in result.output
    for fmt in FORMATS:
        again = (tmp_path / f"again.{fmt}").read_bytes()
        assert again == (rehearsed / f"forecast.{fmt}").read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unwritable_target_is_refused_before_the_runs(tmp_path: Path, fmt: str) -> None:
    """--FORMAT into a missing directory: exit 2 before any run; no report written."""
    bad = tmp_path / "missing" / f"forecast.{fmt}"
    args = ["rehearse", "four-node-rolling", "--runs", "2", "--jobs", "1", "--progress",
            "--report", str(tmp_path / "f.json"), f"--{fmt}", str(bad)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "error: " in result.output
    assert str(bad) in result.output
    assert "rehearse: [" not in result.output  # no progress bar: nothing ran
    assert not (tmp_path / "f.json").exists()
    assert not bad.parent.exists()


def test_a_damaged_rehearse_report_names_its_json_path(rehearsed: Path, tmp_path: Path) -> None:
    """A rehearse report that breaks its schema: exit 2 naming the JSON path, nothing written."""
    report = json.loads((rehearsed / "forecast.json").read_text("utf-8"))
    report["outcomes"]["Failed"]["share"] = 7
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps(report), encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(damaged), "--html", str(tmp_path / "x.html")])
    assert result.exit_code == 2, result.output
    assert "outcomes" in result.output
    assert "Failed" in result.output
    assert not (tmp_path / "x.html").exists()
