"""`pycau simulate --mode`: the offline update of any scenario, its report sections, the
invariant table's "n/a" for waived rolling invariants, and the refusals of rolling-only
options (exit 2, one paragraph, no report)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from runner.cli import cli
from simulator.oracle_offline import NOT_APPLICABLE, OFFLINE_INVARIANTS

Validate = Callable[[Path], dict[str, Any]]


def test_simulate_mode_offline_runs_a_rolling_scenario_offline(
    cli_runner: CliRunner, tmp_path: Path, assert_valid_report: Validate
) -> None:
    """--mode offline overrides the scenario's profile: mode offline, cluster_timing and
    the offline section in a schema-valid report, the offline invariants judged."""
    out = tmp_path / "report.json"
    result = cli_runner.invoke(cli, ["simulate", "four-node-rolling", "--mode", "offline",
                                     "--report", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = assert_valid_report(out)
    assert (report["status"], report["mode"]) == ("Succeeded", "offline")
    assert report["profile"]["mode"] == "offline"
    assert set(report["cluster_timing"]["steps"]) >= {"save_vms", "install", "start_vms"}
    assert len(report["offline"]["vms_saved"]) == 24
    invariants = report["simulation"]["invariants"]
    assert all(invariants[name]["holds"] for name in OFFLINE_INVARIANTS)
    assert {name for name, v in invariants.items() if "not_applicable" in v} == set(NOT_APPLICABLE)


def test_simulate_mode_rolling_runs_an_offline_scenario_rolling(
    cli_runner: CliRunner, tmp_path: Path, assert_valid_report: Validate
) -> None:
    """--mode rolling on offline-four-node: a rolling report without the offline fields."""
    out = tmp_path / "report.json"
    result = cli_runner.invoke(cli, ["simulate", "offline-four-node", "--mode", "rolling",
                                     "--report", str(out), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = assert_valid_report(out)
    assert report["mode"] == "rolling"
    assert "mode" not in report["profile"]
    assert "cluster_timing" not in report
    assert "offline" not in report
    assert not set(OFFLINE_INVARIANTS) & set(report["simulation"]["invariants"])


def test_invariant_table_says_not_applicable_with_the_reason(cli_runner: CliRunner) -> None:
    """The summary table shows a waived rolling invariant as n/a with why, not as "yes"."""
    result = cli_runner.invoke(cli, ["simulate", "offline-four-node"])
    assert result.exit_code == 0, result.output
    rows = [" ".join(line.split()) for line in result.output.splitlines()]
    assert any(row.startswith("│ workload-availability │ n/a │ waived:") for row in rows)
    assert any(row.startswith("│ workloads-restored │ yes │") for row in rows)


def test_simulate_mode_offline_refuses_update_scripts(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    """A scenario with a pre-update script run --mode offline: exit 2, one `error:` paragraph
    naming the option, no report written."""
    out = tmp_path / "report.json"
    result = cli_runner.invoke(
        cli, ["simulate", "fault-script-failure", "--mode", "offline", "--report", str(out)]
    )
    assert result.exit_code == 2
    assert result.output.startswith("error: ")
    assert "at $.pre_update_script: pre_update_script is for rolling runs" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
