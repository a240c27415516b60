"""--html/--junit/--markdown on simulate and sweep, and `pycau report` for saved reports."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from runner.cli import cli, simulate
from runner.cli.render_options import HELPS, Renderings
from runner.errors import InputError

FORMATS = ("html", "junit", "markdown")


def _error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pycau simulate fault-install-failure` with --report and every rendering."""
    out = tmp_path_factory.mktemp("simulated")
    args = ["simulate", "fault-install-failure", "-q", "--report", str(out / "report.json")]
    for fmt in FORMATS:
        args += [f"--{fmt}", str(out / f"run.{fmt}")]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_simulate_writes_every_rendering(simulated: Path) -> None:
    """simulate --html/--junit/--markdown write the page, the XML and the summary."""
    assert (simulated / "run.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    suite = ET.parse(simulated / "run.junit").getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "2"
    assert "**PartiallyFailed**" in (simulated / "run.markdown").read_text("utf-8")


def test_report_renders_a_saved_run_report_identically(simulated: Path, tmp_path: Path) -> None:
    """`pycau report REPORT.json` gives the renderings simulate wrote, byte for byte: each
    comes from the report JSON alone."""
    args = ["report", str(simulated / "report.json")]
    for fmt in FORMATS:
        args += [f"--{fmt}", str(tmp_path / f"again.{fmt}")]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "run report" in result.output
    for fmt in FORMATS:
        assert (tmp_path / f"again.{fmt}").read_bytes() == (simulated / f"run.{fmt}").read_bytes()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"hello": 1}', "not a pycau report"),
        ("[1, 2]", "not a pycau report"),
        ("not json at all", "not a pycau report (not JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_report_refuses_what_is_not_a_report(
    tmp_path: Path, content: str | bytes, expected: str
) -> None:
    """A file that is not a pycau report: exit 2, one sentence, nothing written."""
    source = tmp_path / "input.json"
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(source), "--html", str(tmp_path / "o.html")])
    assert result.exit_code == 2
    line = _error_line(result.output)
    assert str(source) in line
    assert expected in line
    assert sorted(os.listdir(tmp_path)) == ["input.json"]


def test_report_names_the_json_path_of_a_damaged_report(simulated: Path, tmp_path: Path) -> None:
    """A run report that breaks its schema is refused at the JSON path that is wrong."""
    report = json.loads((simulated / "report.json").read_text("utf-8"))
    report["nodes"][1]["status"] = "Exploded"
    source = tmp_path / "damaged.json"
    source.write_text(json.dumps(report), encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(source), "--junit", str(tmp_path / "j.xml")])
    assert result.exit_code == 2
    assert "at $.nodes[1].status" in _error_line(result.output)
    assert not (tmp_path / "j.xml").exists()


def test_report_needs_a_format_and_an_existing_file(tmp_path: Path) -> None:
    """No rendering asked for, or no such file: exit 2 with one sentence."""
    source = tmp_path / "r.json"
    source.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(source)])
    assert result.exit_code == 2
    assert "give --html, --junit or --markdown" in result.output
    missing = CliRunner().invoke(cli, ["report", str(tmp_path / "no.json"), "--html", "x.html"])
    assert missing.exit_code == 2
    assert "does not exist" in _error_line(missing.output)


def test_an_unwritable_target_is_refused_before_the_run(tmp_path: Path) -> None:
    """--html into a missing directory: exit 2 before anything runs; no report written."""
    report = tmp_path / "report.json"
    bad = tmp_path / "missing" / "run.html"
    args = ["simulate", "four-node-rolling", "--report", str(report), "--html", str(bad)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    line = _error_line(result.output)
    assert "cannot write the HTML report" in line
    assert "does not exist" in line
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_rendering_target_is_checked(tmp_path: Path, fmt: str) -> None:
    """Each of --html, --junit, --markdown refuses a directory as its target."""
    result = CliRunner().invoke(cli, ["simulate", "four-node-rolling", f"--{fmt}", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in _error_line(result.output)


def test_a_setup_report_renders_as_junit_only(tmp_path: Path) -> None:
    """A test-setup report renders as JUnit; asking it for HTML is bad input."""
    source = tmp_path / "setup.json"
    rule = {"number": 1, "rule": "cluster up", "verdict": "Pass", "evidence": "ok", "remedy": ""}
    source.write_text(json.dumps({"kind": "test-setup", "cluster": "h", "result": "Pass",
                                  "rules": [rule]}), encoding="utf-8")  # fmt: skip
    ok = CliRunner().invoke(cli, ["report", str(source), "--junit", str(tmp_path / "j.xml")])
    assert ok.exit_code == 0, ok.output
    assert [c.get("name") for c in ET.parse(tmp_path / "j.xml").iter("testcase")] == [
        "rule 1: cluster up"
    ]
    html = CliRunner().invoke(cli, ["report", str(source), "--html", str(tmp_path / "h.html")])
    assert html.exit_code == 2
    assert "renders only as --junit" in _error_line(html.output)


def test_sweep_renders_its_report(tmp_path: Path) -> None:
    """sweep --html/--junit/--markdown: histogram page, one testcase per seed, summary."""
    args = ["sweep", "two-node-cloud-witness", "--seeds", "3", "--jobs", "1",
            "--reproducers", str(tmp_path / "repro")]  # fmt: skip
    for fmt in FORMATS:
        args += [f"--{fmt}", str(tmp_path / f"sweep.{fmt}")]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert 'id="histogram"' in (tmp_path / "sweep.html").read_text("utf-8")
    cases = [c.get("name") for c in ET.parse(tmp_path / "sweep.junit").iter("testcase")]
    assert cases == ["seed 0", "seed 1", "seed 2"]
    assert "pycau sweep of two-node-cloud-witness" in (tmp_path / "sweep.markdown").read_text()


def test_simulate_declares_the_shared_help_texts() -> None:
    """simulate's own --html/--junit/--markdown say what runner.cli.render_options' do."""
    helps = {p.name: p.help for p in simulate.params if isinstance(p, click.Option)}
    assert {fmt: helps[f"{fmt}_path"] for fmt in FORMATS} == HELPS


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rendering that cannot be written is bad input; no temporary file stays behind."""

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    report = json.loads(json.dumps({"runs": [], "seeds": 1, "scenario": "s"}))
    with pytest.raises(InputError, match="cannot write the Markdown summary"):
        Renderings(markdown=tmp_path / "s.md").write(report)
    assert os.listdir(tmp_path) == []
