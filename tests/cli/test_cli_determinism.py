"""Determinism: the same scenario and seed give the same report, apart from simulation.wall."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _report_without_wall(path: Path) -> str:
    report = json.loads(path.read_text(encoding="utf-8"))
    del report["simulation"]["wall"]
    return json.dumps(report, indent=2)


@pytest.mark.parametrize("scenario", ["four-node-rolling.yaml", "sixteen-node-400-vms.yaml"])
def test_cli_same_scenario_and_seed_give_identical_reports(
    cli_runner: CliRunner, tmp_path: Path, scenario: str
) -> None:
    """Two runs of one scenario and seed write byte-identical reports except simulation.wall."""
    path = ROOT / "scenarios" / scenario
    texts = []
    for name in ("first.json", "second.json"):
        out = tmp_path / name
        result = cli_runner.invoke(
            cli, ["simulate", str(path), "--seed", "5", "--quiet", "--report", str(out)]
        )
        assert result.exit_code in (0, 1), result.output
        texts.append(_report_without_wall(out))
    assert texts[0] == texts[1]
    assert json.loads(texts[0])["events"], "the run recorded events"
