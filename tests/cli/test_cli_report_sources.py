"""`pycau report` takes exactly one source — REPORT.json or --journal/--run — and renders a
journal's stored report as HTML, JUnit XML and Markdown like a saved report file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _pycau(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def journaled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A journal holding one finished rehearsal of fault-install-failure, and its run id."""
    from runner.rehearsal.compose import rehearse
    from simulator.scenario import load_scenario

    where = tmp_path_factory.mktemp("journaled")
    scenario = load_scenario(ROOT / "scenarios" / "fault-install-failure.yaml")
    done = rehearse(scenario, journal_path=str(where / "j.db")).to_dict()
    return where / "j.db", str(done["run_id"])


def test_journal_report_renders_like_the_saved_report_file(
    journaled: tuple[Path, str], tmp_path: Path
) -> None:
    """--journal --run with -o and --markdown/--junit writes the JSON and renderings equal to
    what `pycau report` of that JSON writes."""
    journal, run_id = journaled
    saved = tmp_path / "run.json"
    code, out = _pycau(
        "report", "--journal", str(journal), "--run", run_id, "-o", str(saved),
        "--markdown", str(tmp_path / "j.md"), "--junit", str(tmp_path / "j.xml"),
    )  # fmt: skip
    assert code == 0, out
    assert f"run {run_id}: PartiallyFailed — rendered as markdown: {tmp_path / 'j.md'}" in out
    code, out = _pycau(
        "report", str(saved), "--markdown", str(tmp_path / "f.md"), "--junit",
        str(tmp_path / "f.xml"),
    )  # fmt: skip
    assert code == 0, out
    assert (tmp_path / "j.md").read_bytes() == (tmp_path / "f.md").read_bytes()
    assert (tmp_path / "j.xml").read_bytes() == (tmp_path / "f.xml").read_bytes()
    assert "**PartiallyFailed**" in (tmp_path / "j.md").read_text("utf-8")


def test_journal_report_with_a_rendering_only_prints_no_json(
    journaled: tuple[Path, str], tmp_path: Path
) -> None:
    """With a rendering and no -o, the JSON is not printed: only the line naming the file."""
    journal, run_id = journaled
    page = tmp_path / "run.html"
    code, out = _pycau("report", "--journal", str(journal), "--run", run_id, "--html", str(page))
    assert code == 0, out
    assert page.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert out.strip() == f"run {run_id}: PartiallyFailed — rendered as html: {page}"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "give exactly one of REPORT.json or --journal FILE --run RUN_ID"),
        (["saved.json", "--journal", "j.db", "--run", "r"], "give exactly one of REPORT.json"),
        (["--journal", "j.db"], "--journal needs --run RUN_ID"),
        (["saved.json", "--run", "r", "--html", "o.html"], "--run and -o go with --journal"),
        (["saved.json", "-o", "o.json"], "--run and -o go with --journal"),
    ],
)
def test_report_refuses_anything_but_exactly_one_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    """Neither or both sources, --journal without --run, or -o/--run with REPORT.json: exit
    2 with one `error:` sentence, and no file written."""
    monkeypatch.chdir(tmp_path)
    code, out = _pycau("report", *args)
    assert code == 2
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out
    assert lines[0].startswith("error: "), out
    assert expected in " ".join(out.split())
    assert sorted(p.name for p in tmp_path.iterdir()) == []
