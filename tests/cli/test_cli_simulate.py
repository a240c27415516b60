"""`pycau simulate`: default scenario, exit 0/1 from the expectation, reports, output modes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runner.cli import cli
from simulator.mixed_mode import MIXED_MODE_INVARIANT
from simulator.oracle import INVARIANTS as ORACLE_INVARIANTS
from simulator.oracle_offline import OFFLINE_INVARIANTS
from simulator.post_upgrade import VM_VERSION_INVARIANT

ROOT = Path(__file__).resolve().parents[2]

INVARIANTS = set(ORACLE_INVARIANTS)

Validate = Callable[[Path], dict[str, Any]]


def test_cli_simulate_runs_the_default_scenario_without_argument(
    cli_runner: CliRunner, tmp_path: Path, assert_valid_report: Validate
) -> None:
    """With no SCENARIO, the bundled four-node scenario runs, succeeds and exits 0."""
    out = tmp_path / "report.json"
    result = cli_runner.invoke(cli, ["simulate", "--report", str(out)])
    assert result.exit_code == 0, result.output
    assert "four-node-rolling" in result.stdout
    assert "expectation met" in result.stdout
    report = assert_valid_report(out)
    assert report["status"] == "Succeeded"
    assert report["simulation"]["scenario"] == "four-node-rolling"
    assert set(report["simulation"]["invariants"]) == INVARIANTS
    assert all(v["holds"] for v in report["simulation"]["invariants"].values())


def test_cli_simulate_report_is_valid_and_complete(
    cli_runner: CliRunner, tmp_path: Path, assert_valid_report: Validate
) -> None:
    """The written report matches the schema, names every node and carries wall figures."""
    out = tmp_path / "r.json"
    result = cli_runner.invoke(cli, ["simulate", "--quiet", "--report", str(out)])
    assert result.exit_code == 0, result.output
    report = assert_valid_report(out)
    assert report["started_at"] == "2026-01-13T02:00:00Z"
    assert [n["name"] for n in report["nodes"]]
    assert all(n["status"] == "Succeeded" for n in report["nodes"])
    wall = report["simulation"]["wall"]
    assert wall["seconds"] > 0
    assert wall["peak_memory_mb"] > 0
    assert list(report)[:2] == ["schema_version", "run_id"]
    assert list(report)[-1] == "simulation"
    assert sorted(tmp_path.iterdir()) == [out], "a temporary file was left behind"


def test_cli_simulate_exits_1_and_names_mismatches_when_expectation_fails(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
    assert_valid_report: Validate,
) -> None:
    """A run whose outcome differs from `expect` exits 1, prints why, still writes the report."""
    default_scenario["expect"] = {"status": "Failed", "error_id": "MaxFailedNodesExceeded"}
    path = write_scenario(default_scenario)
    out = tmp_path / "report.json"
    result = cli_runner.invoke(cli, ["simulate", str(path), "--report", str(out)])
    assert result.exit_code == 1, result.output
    assert "expectation NOT met" in result.stdout
    assert "Failed" in result.stdout
    assert "MaxFailedNodesExceeded" in result.stdout
    assert assert_valid_report(out)["status"] == "Succeeded"


def test_cli_simulate_seed_option_overrides_the_scenario_seed(
    cli_runner: CliRunner, tmp_path: Path, assert_valid_report: Validate
) -> None:
    """--seed N is the seed recorded in the report and changes the run id."""
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for seed, out in (("11", first), ("12", second)):
        result = cli_runner.invoke(cli, ["simulate", "-q", "--seed", seed, "--report", str(out)])
        assert result.exit_code == 0, result.output
    a, b = assert_valid_report(first), assert_valid_report(second)
    assert (a["simulation"]["seed"], b["simulation"]["seed"]) == (11, 12)
    assert a["run_id"] != b["run_id"]


def test_cli_simulate_policy_option_sets_the_run_policy(
    cli_runner: CliRunner, tmp_path: Path, assert_valid_report: Validate
) -> None:
    """--policy classic and --policy fast are recorded in the report; only fast's report has
    the waves section."""
    out = tmp_path / "classic.json"
    result = cli_runner.invoke(cli, ["simulate", "-q", "--policy", "classic", "--report", str(out)])
    assert result.exit_code == 0, result.output
    report = assert_valid_report(out)
    assert report["policy"] == report["profile"]["policy"] == "classic"
    assert "waves" not in report

    fast = tmp_path / "fast.json"
    result = cli_runner.invoke(cli, ["simulate", "-q", "--policy", "fast", "--report", str(fast)])
    assert result.exit_code == 0, result.output
    report = assert_valid_report(fast)
    assert report["policy"] == report["profile"]["policy"] == "fast"
    assert [w["wave"] for w in report["waves"]["run"]] == [1, 2, 3, 4]


def test_cli_simulate_plain_output_when_not_a_terminal(cli_runner: CliRunner) -> None:
    """Off a terminal, progress is one line per event with the simulated clock, then a summary."""
    result = cli_runner.invoke(cli, ["simulate"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    progress = [line for line in lines if line.startswith("T+")]
    assert any(": drain" in line for line in progress)
    assert any(": install" in line for line in progress)
    assert any("Succeeded" in line for line in progress)
    assert any(line.startswith("run Succeeded") for line in lines)
    assert "invariants" in result.stdout
    assert "nodes" in result.stdout
    assert "\x1b[" not in result.stdout, "no terminal escapes in plain output"


def test_cli_simulate_quiet_prints_only_the_verdict(
    cli_runner: CliRunner, default_scenario: dict[str, Any]
) -> None:
    """--quiet prints no progress and no tables, just the one verdict line."""
    result = cli_runner.invoke(cli, ["simulate", "--quiet"])
    assert result.exit_code == 0, result.output
    name, seed = default_scenario["name"], default_scenario.get("seed", 0)
    assert result.stdout.strip().splitlines() == [
        f"{name} (seed {seed}): Succeeded — expectation met"
    ]


@pytest.mark.slow  # tests/sim/test_sim_bundled_expectations.py judges each in the default suite
@pytest.mark.parametrize(
    "scenario",
    sorted((ROOT / "scenarios").glob("*.yaml")),
    ids=lambda path: path.stem,
)
def test_cli_every_bundled_scenario_meets_its_expectation(
    cli_runner: CliRunner, tmp_path: Path, assert_valid_report: Validate, scenario: Path
) -> None:
    """Each bundled scenario exits 0 (its `expect` holds) and writes a schema-valid report
    with every invariant of its mode (and mixed-mode-migration where the cluster ran mixed,
    vm-version-downtime where VMs were stopped or upgraded)."""
    out = tmp_path / "report.json"
    result = cli_runner.invoke(cli, ["simulate", str(scenario), "-q", "--report", str(out)])
    assert result.exit_code == 0, result.output
    report = assert_valid_report(out)
    offline = set(OFFLINE_INVARIANTS) if report["mode"] == "offline" else set()
    judged = set(report["simulation"]["invariants"])
    optional = {MIXED_MODE_INVARIANT, VM_VERSION_INVARIANT}
    assert INVARIANTS | offline <= judged <= INVARIANTS | offline | optional
