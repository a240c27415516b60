"""Bad input: one `error:` paragraph on stderr naming file and JSON path, exit 2, no report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from runner.cli import cli


def _assert_bad_input(result: Result, *fragments: str) -> str:
    """Exit 2, nothing on stdout, one `error:` line with ``fragments``, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def _simulate(cli_runner: CliRunner, scenario: Path, report: Path) -> Result:
    return cli_runner.invoke(cli, ["simulate", str(scenario), "--report", str(report)])


def test_cli_unknown_key_names_file_and_json_path(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
) -> None:
    """An unknown key in the cluster block is exit 2 naming the file and `$.cluster`."""
    default_scenario["cluster"]["colour"] = "blue"
    path = write_scenario(default_scenario)
    out = tmp_path / "report.json"
    message = _assert_bad_input(_simulate(cli_runner, path, out), str(path), "cluster", "colour")
    assert "$" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"], "no report written"


def test_cli_unknown_top_level_key_is_rejected(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
) -> None:
    """An unknown top-level key is an error, not silently ignored."""
    default_scenario["extra_thing"] = 1
    path = write_scenario(default_scenario)
    _assert_bad_input(_simulate(cli_runner, path, tmp_path / "r.json"), "extra_thing")
    assert not (tmp_path / "r.json").exists()


def test_cli_yaml_syntax_error_is_bad_input(cli_runner: CliRunner, tmp_path: Path) -> None:
    """A YAML syntax error is exit 2 naming the file; no report is written."""
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ncluster: {name: [unclosed\n", encoding="utf-8")
    out = tmp_path / "report.json"
    _assert_bad_input(_simulate(cli_runner, path, out), str(path))
    assert not out.exists()


def test_cli_missing_scenario_file_is_bad_input(cli_runner: CliRunner, tmp_path: Path) -> None:
    """A scenario path that does not exist is exit 2 naming it; no report is written."""
    path = tmp_path / "nowhere.yaml"
    out = tmp_path / "report.json"
    _assert_bad_input(_simulate(cli_runner, path, out), "nowhere.yaml")
    assert list(tmp_path.iterdir()) == []


def test_cli_directory_as_scenario_is_bad_input(cli_runner: CliRunner, tmp_path: Path) -> None:
    """A directory given as SCENARIO is exit 2 with one error line."""
    _assert_bad_input(cli_runner.invoke(cli, ["simulate", str(tmp_path)]), str(tmp_path.name))


def test_cli_schema_violation_is_bad_input(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
) -> None:
    """A value of the wrong type is exit 2 naming the JSON path of the bad value."""
    default_scenario["cluster"]["witness"] = "carrier-pigeon"
    path = write_scenario(default_scenario)
    _assert_bad_input(_simulate(cli_runner, path, tmp_path / "r.json"), "witness")
    assert not (tmp_path / "r.json").exists()


def test_cli_invalid_profile_for_the_cluster_is_bad_input(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
) -> None:
    """A profile that cannot hold for this cluster (node_order naming a stranger) is exit 2."""
    default_scenario.setdefault("profile", {})["node_order"] = ["node1", "nodeX"]
    path = write_scenario(default_scenario)
    _assert_bad_input(_simulate(cli_runner, path, tmp_path / "r.json"), "node_order", "nodeX")
    assert not (tmp_path / "r.json").exists()


def test_cli_report_into_missing_directory_is_bad_input(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    """--report into a directory that does not exist is exit 2 before anything runs."""
    out = tmp_path / "missing" / "report.json"
    result = cli_runner.invoke(cli, ["simulate", "--report", str(out)])
    _assert_bad_input(result, "report.json", "does not exist")
    assert not out.parent.exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--seed", "-1"], "--seed"),
        (["--seed", "abc"], "--seed"),
        (["--policy", "reckless"], "--policy"),
        (["--report"], "--report"),
    ],
)
def test_cli_bad_option_values_are_bad_input(
    cli_runner: CliRunner, args: list[str], fragment: str
) -> None:
    """Bad option values exit 2 with one `error:` line naming the option."""
    _assert_bad_input(cli_runner.invoke(cli, ["simulate", *args]), fragment)
