"""`max_nodes_out` other than 1 is refused (exit 2) until the fast policy uses it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from runner.cli import cli


def test_simulate_refuses_more_than_one_node_out(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
) -> None:
    """A scenario profile with max_nodes_out 2 is bad input: exit 2, one error paragraph
    naming the file, the JSON path and the fast policy; no run, no report, no traceback."""
    default_scenario.setdefault("profile", {})["max_nodes_out"] = 2
    path = write_scenario(default_scenario)
    target = tmp_path / "r.json"
    result = cli_runner.invoke(cli, ["simulate", str(path), "--report", str(target)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ")
    assert str(path) in result.output
    assert "$.profile.max_nodes_out" in result.output
    assert "'fast' policy, which is not built yet" in result.output
    assert "Traceback" not in result.output
    assert not target.exists()
