"""`max_nodes_out` other than 1 is refused (exit 2) without the fast policy, and larger than
the cluster with it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from runner.cli import cli
from simulator.scenario import load_scenario

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios"


def test_simulate_refuses_more_than_one_node_out(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
) -> None:
    """A scenario profile with max_nodes_out 2 is bad input: exit 2, one error paragraph
    naming the file, the JSON path and the fast policy; no run, no report, no traceback."""
    _refused(cli_runner, default_scenario, write_scenario, tmp_path, {"max_nodes_out": 2},
             "needs policy: fast")  # fmt: skip


def test_simulate_refuses_more_nodes_out_than_the_cluster(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
) -> None:
    """With policy fast, max_nodes_out larger than the scenario's node count is bad input:
    exit 2, one paragraph naming the count; no report."""
    count = len(load_scenario(BUNDLED / "four-node-rolling.yaml").cluster.nodes)
    _refused(cli_runner, default_scenario, write_scenario, tmp_path,
             {"policy": "fast", "max_nodes_out": count + 1},
             f"larger than the cluster's {count} node(s)")  # fmt: skip


def _refused(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
    options: dict[str, Any],
    words: str,
) -> None:
    default_scenario.setdefault("profile", {}).update(options)
    path = write_scenario(default_scenario)
    target = tmp_path / "r.json"
    result = cli_runner.invoke(cli, ["simulate", str(path), "--report", str(target)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ")
    assert str(path) in result.output
    assert "$.profile.max_nodes_out" in result.output
    assert words in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not target.exists()
