"""`pycau simulate` with feature updates: a feature update to an older or the same version
is bad input (exit 2, one sentence); the bundled feature-update run meets its expectation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runner.cli import cli


@pytest.mark.parametrize("target", ["21H2", "20H2"])
def test_feature_update_to_an_older_or_the_same_version_exits_2(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
    target: str,
) -> None:
    """The default 21H2 cluster offered a 'feature update' to 21H2 or 20H2: exit 2, one
    error line naming the file, the JSON path and what was expected; no report."""
    default_scenario["updates"] = [{"id": "FU", "kind": "feature", "to_version": target}]
    path = write_scenario(default_scenario)
    out = tmp_path / "r.json"
    result = cli_runner.invoke(cli, ["simulate", str(path), "--report", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"error: {path} at $.updates[0].to_version: a feature update to {target} does not "
        "upgrade a 21H2 cluster; expected a version newer than 21H2 (line 29)"
    ]
    assert not out.exists()


def test_bundled_feature_update_meets_its_expectation(cli_runner: CliRunner) -> None:
    """`pycau simulate feature-update-21h2` succeeds as its expect block says (exit 0)."""
    result = cli_runner.invoke(cli, ["simulate", "feature-update-21h2", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "feature-update-21h2 (seed 21): Succeeded — expectation met"


def test_functional_level_over_mixed_versions_without_a_feature_update_exits_2(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
) -> None:
    """The issue's bad input: update_functional_level with node3 at 21H2, the others at 20H2,
    and no feature update offered — exit 2, one sentence with the JSON path; no report."""
    default_scenario["cluster"]["version"] = "20H2"
    default_scenario["cluster"]["nodes"] = {"count": 4, "versions": {"node3": "21H2"}}
    default_scenario["profile"] = {"update_functional_level": True}
    path = write_scenario(default_scenario)
    out = tmp_path / "r.json"
    result = cli_runner.invoke(cli, ["simulate", str(path), "--report", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"error: {path} at $.profile.update_functional_level: update_functional_level needs "
        "every node at one version, but the nodes run 20H2 and 21H2 and no feature update "
        "(kind: feature) is offered; offer the feature update or leave update_functional_level"
        " out"
    )
    assert not out.exists()
