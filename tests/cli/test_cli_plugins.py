"""Plug-ins on the command line: the bundled plug-in scenarios report which plug-in installed
what (schema-valid), and bad plug-in input is one `error:` paragraph with exit 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runner.cli import cli

ROOT = r"\\fs01\Hotfixes\Root"
NO_SUCCESS = (
    "<root><DefaultRules><ExtensionRules><Extension name='MSU'><Template path='wusa.exe'/>"
    "<ExitConditions/></Extension></ExtensionRules></DefaultRules></root>"
)


def test_hotfix_scenario_reports_the_plugin_of_each_update(
    cli_runner: CliRunner, tmp_path: Path, assert_valid_report: Callable[[Path], dict[str, Any]]
) -> None:
    """pycau simulate hotfix-plugin: Succeeded, a schema-valid report whose profile says
    plugin hotfix and whose updates name the hotfix plug-in."""
    out = tmp_path / "r.json"
    result = cli_runner.invoke(cli, ["simulate", "hotfix-plugin", "--quiet", "--report", str(out)])
    assert result.exit_code == 0, result.output
    report = assert_valid_report(out)
    assert report["profile"]["plugin"] == "hotfix"
    assert {u["plugin"] for n in report["nodes"] for u in n["updates"]} == {"hotfix"}


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (
            {"profile": {"plugin": "hotfix"}},
            ["$.profile.plugin_arguments", "needs hotfix_root_folder_path"],
        ),
        (
            {
                "profile": {
                    "plugin": "hotfix",
                    "plugin_arguments": {
                        "hotfix_root_folder_path": ROOT,
                        "query_string": "IsInstalled=0",
                    },
                }
            },
            ["$.profile.plugin_arguments.query_string", "has no argument"],
        ),
        (
            {"profile": {"plugin": "wsus"}},
            ["$.profile.plugin"],
        ),
        (
            {"hotfix_share": {"config_files": {"DefaultHotfixConfig.xml": "<root><Default"}}},
            ["$.hotfix_share.config_files['DefaultHotfixConfig.xml']", "is not XML"],
        ),
        (
            {
                "hotfix_share": {
                    "config_files": {
                        "DefaultHotfixConfig.xml": NO_SUCCESS,
                    }
                }
            },
            ["no <Success> exit condition"],
        ),
        (
            {"profile": {"plugin_arguments": {"query_string": "CategoryIDs contains 'x'"}}},
            ["$.profile.plugin_arguments.query_string", "cannot run it"],
        ),
        (
            {
                "profile": {
                    "plugin": "rolling-upgrade",
                    "plugin_arguments": {
                        "wu_connected": False,
                        "path_to_setup_media": r"\\fs01\iso\21H2",
                    },
                }
            },
            ["$.profile.plugin_arguments.wu_connected", "setup media are not modelled"],
        ),
        (
            {"updates": [{"id": "KB1", "exit_code": 3010}]},
            ["$.updates[0].exit_code", "only a hotfix"],
        ),
        (
            {"updates": [{"id": "HF1", "kind": "hotfix", "restart": True}]},
            ["$.updates[0].restart", "exit code"],
        ),
    ],
)
def test_bad_plugin_input_is_exit_2_with_one_sentence(
    cli_runner: CliRunner,
    default_scenario: dict[str, Any],
    write_scenario: Callable[[dict[str, Any]], Path],
    tmp_path: Path,
    change: dict[str, Any],
    fragments: list[str],
) -> None:
    """A hotfix plug-in without its root folder, an argument of another plug-in, an unknown
    plug-in, a configuration file that does not parse, a search the simulator cannot run,
    hotfix-only fields elsewhere: exit 2, one `error:` line naming the path, no report."""
    default_scenario.update(change)
    path = write_scenario(default_scenario)
    out = tmp_path / "r.json"
    result = cli_runner.invoke(cli, ["simulate", str(path), "--report", str(out)])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith(f"error: {path}")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert not out.exists()
